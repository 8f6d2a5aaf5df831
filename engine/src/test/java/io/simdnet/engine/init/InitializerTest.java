package io.simdnet.engine.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InitializerTest {

    private static final int SIZE = 200_000;

    private static double mean(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x;
        }
        return sum / v.length;
    }

    private static double std(float[] v) {
        double m = mean(v);
        double sum = 0;
        for (float x : v) {
            sum += (x - m) * (x - m);
        }
        return Math.sqrt(sum / v.length);
    }

    @Test
    void glorotUniformStaysWithinItsLimitAndHasTheUniformSpread() {
        float[] w = new float[SIZE];
        new Initializer.GlorotUniform().fill(w, 784, 128, new Rng(1));
        double limit = Math.sqrt(6.0 / (784 + 128));
        for (float x : w) {
            assertTrue(Math.abs(x) <= limit, "value " + x + " outside ±" + limit);
        }
        assertEquals(0, mean(w), 0.01 * limit);
        assertEquals(limit / Math.sqrt(3), std(w), 0.01 * limit);
    }

    @Test
    void heNormalHasStandardDeviationRootTwoOverFanIn() {
        float[] w = new float[SIZE];
        new Initializer.HeNormal().fill(w, 150, 16, new Rng(2));
        assertEquals(Math.sqrt(2.0 / 150), std(w), 0.01 * Math.sqrt(2.0 / 150));
        assertEquals(0, mean(w), 0.01 * Math.sqrt(2.0 / 150));
    }

    @Test
    void leCunNormalHasStandardDeviationRootOneOverFanIn() {
        float[] w = new float[SIZE];
        new Initializer.LeCunNormal().fill(w, 400, 120, new Rng(3));
        assertEquals(Math.sqrt(1.0 / 400), std(w), 0.01 * Math.sqrt(1.0 / 400));
    }

    @Test
    void theSameSeedGivesTheSameValuesAndSplitStreamsDiffer() {
        float[] a = new float[1000];
        float[] b = new float[1000];
        new Initializer.Normal(0.1).fill(a, 1, 1, new Rng(42));
        new Initializer.Normal(0.1).fill(b, 1, 1, new Rng(42));
        assertArrayEquals(a, b);
        Rng root = new Rng(42);
        float[] first = new float[1000];
        float[] second = new float[1000];
        new Initializer.Uniform(1).fill(first, 1, 1, root.split());
        new Initializer.Uniform(1).fill(second, 1, 1, root.split());
        assertFalse(Arrays.equals(first, second));
    }

    @Test
    void zerosAndBadArgumentsBehave() {
        float[] w = {1, 2, 3};
        new Initializer.Zeros().fill(w, 3, 1, new Rng(0));
        assertArrayEquals(new float[3], w);
        var e = assertThrows(IllegalArgumentException.class, () -> new Initializer.HeNormal().fill(new float[3], 0, 1, new Rng(0)));
        assertTrue(e.getMessage().contains("fanIn = 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Initializer.Normal(-1));
    }
}
