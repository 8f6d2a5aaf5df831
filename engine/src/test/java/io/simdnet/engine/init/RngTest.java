package io.simdnet.engine.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RngTest {

    @Test
    void drawsExactlyWhatSplittableRandomDraws() {
        Rng ours = new Rng(42);
        SplittableRandom jdk = new SplittableRandom(42);
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 200; i++) {
                assertEquals(jdk.nextInt(1 + i * 7919), ours.nextInt(1 + i * 7919));
                assertEquals(jdk.nextDouble(), ours.nextDouble());
                assertEquals(jdk.nextDouble(-1, 3), ours.uniform(-1, 3));
                assertEquals(jdk.nextGaussian(), ours.gaussian());
                assertEquals(jdk.nextInt(64), ours.nextInt(64));
            }
            jdk = jdk.split();
            ours = ours.split();
        }
    }

    @Test
    void restoredStateContinuesTheStream() {
        Rng rng = new Rng(7).split();
        for (int i = 0; i < 100; i++) {
            rng.nextDouble();
        }
        long[] state = rng.state();
        Rng copy = new Rng(0);
        copy.restore(state);
        for (int i = 0; i < 1000; i++) {
            assertEquals(rng.nextLong(), copy.nextLong());
        }
    }

    @Test
    void rejectsAStateNoGeneratorCanHave() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rng.fromState(new long[] {1, 2}));
        assertEquals(true, e.getMessage().contains("odd"));
    }
}
