package ai.seamstream.trainer.policy;

/**
 * The scheduler's answer: whether to train and why.
 *
 * @param train  start a job now
 * @param reason one line for the log and the API
 */
public record RetrainDecision(boolean train, String reason) {

    /**
     * Applies {@code policy} to {@code state}, except that a snapshot already trained on is never trained again and
     * an empty training set never trains.
     */
    public static RetrainDecision decide(RetrainPolicy policy, RetrainState state) {
        if (state.currentSnapshot() == null) {
            return new RetrainDecision(false, "no training data");
        }
        if (state.alreadyTrained()) {
            return new RetrainDecision(false, "snapshot " + shortId(state.currentSnapshot()) + " was already trained on");
        }
        if (!policy.shouldTrain(state)) {
            return new RetrainDecision(false, "policy not met (" + state.changedLabels() + " changes, "
                    + (state.sinceLastJob() == null ? "no job yet" : state.sinceLastJob() + " since the last job")
                    + (state.demanded() ? ", demanded" : "") + ")");
        }
        return new RetrainDecision(true, "policy met (" + state.changedLabels() + " changes"
                + (state.demanded() ? ", demanded" : "") + ") on snapshot " + shortId(state.currentSnapshot()));
    }

    private static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
