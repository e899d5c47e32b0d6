package ai.seamstream.core.synth;

import java.util.List;

/**
 * The composition of one synthetic image before painting: its background, its objects in drawing order (later on
 * top) and its context bands; pixel sets are full-image {@code boolean[y*width+x]}.
 */
record Scene(BackgroundStyle background, List<PlacedObject> objects, List<ContextBand> contexts) {

    Scene {
        objects = List.copyOf(objects);
        contexts = List.copyOf(contexts);
    }

    /**
     * One object: its class's marking on a body drawn independently of the class.
     *
     * @param body          every pixel of the body (marking included), hidden or not
     * @param markingPixels the marking's pixels, all inside the body and never hidden
     * @param visible       the body pixels that no later object covers
     * @param shadeAngle    direction in which the gentle linear shading brightens the body
     * @param shadeStrength relative brightness change from the centre to the end of the long half-axis
     * @param noiseKey      key of the body's low-amplitude per-pixel noise
     */
    record PlacedObject(Marking marking, int classIndex, BodyShape shape, int centreX, int centreY, Colour colour,
            double shadeAngle, double shadeStrength, long noiseKey, boolean[] body, boolean[] markingPixels,
            boolean[] visible, int bodyArea, int markingArea) {
    }
}
