package ai.seamstream.trainer.registry;

/** A registry version's standing, as published on {@code seam.models.v1}. */
public enum ModelStatus {
    /** Trained and registered, not (yet) judged. */
    CANDIDATE,
    /** Passed the gate (or was promoted by hand); the registry's promoted pointer names the one in use. */
    PROMOTED,
    /** Failed the gate; kept with its figures. */
    REJECTED,
    /** Was promoted, then replaced by a rollback to an earlier version. */
    ROLLED_BACK
}
