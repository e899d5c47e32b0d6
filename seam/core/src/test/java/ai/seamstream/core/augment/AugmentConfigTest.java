package ai.seamstream.core.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.image.Normalization;
import org.junit.jupiter.api.Test;

class AugmentConfigTest {
    @Test
    void referenceSettings() {
        AugmentConfig c = AugmentConfig.reference();
        assertEquals(448, c.cropSize());
        assertEquals(448, c.longMin());
        assertEquals(768, c.longMax());
        assertTrue(c.flip());
        assertEquals(0.3, c.brightness());
        assertEquals(0.3, c.contrast());
        assertEquals(0.3, c.saturation());
        assertEquals(0.1, c.hue());
        assertEquals(Normalization.IMAGENET, c.norm());
    }

    @Test
    void copiesChangeOnlyWhatTheySay() {
        AugmentConfig c = AugmentConfig.reference().withSizes(32, 40, 48).withoutJitter();
        assertEquals(new AugmentConfig(32, 40, 48, true, 0, 0, 0, 0, Normalization.IMAGENET), c);
    }

    @Test
    void refusesBadSettings() {
        Normalization n = Normalization.IMAGENET;
        assertThrows(IllegalArgumentException.class, () -> new AugmentConfig(0, 448, 768, true, 0.3, 0.3, 0.3, 0.1, n));
        assertThrows(IllegalArgumentException.class, () -> new AugmentConfig(448, 0, 768, true, 0.3, 0.3, 0.3, 0.1, n));
        assertThrows(IllegalArgumentException.class, () -> new AugmentConfig(448, 500, 499, true, 0.3, 0.3, 0.3, 0.1, n));
        assertThrows(IllegalArgumentException.class, () -> new AugmentConfig(448, 448, 768, true, -0.1, 0.3, 0.3, 0.1, n));
        assertThrows(IllegalArgumentException.class,
                () -> new AugmentConfig(448, 448, 768, true, 0.3, Double.NaN, 0.3, 0.1, n));
        assertThrows(IllegalArgumentException.class,
                () -> new AugmentConfig(448, 448, 768, true, 0.3, 0.3, Double.POSITIVE_INFINITY, 0.1, n));
        assertThrows(IllegalArgumentException.class, () -> new AugmentConfig(448, 448, 768, true, 0.3, 0.3, 0.3, 0.6, n));
        assertThrows(IllegalArgumentException.class, () -> new AugmentConfig(448, 448, 768, true, 0.3, 0.3, 0.3, -0.1, n));
        assertThrows(IllegalArgumentException.class,
                () -> new AugmentConfig(448, 448, 768, true, 0.3, 0.3, 0.3, 0.1, null));
    }
}
