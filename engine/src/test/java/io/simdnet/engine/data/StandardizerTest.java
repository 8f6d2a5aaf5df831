package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import org.junit.jupiter.api.Test;

class StandardizerTest {

    /** Images (N, 3, 4, 4) whose channel c has mean about 10·c and spread about c + 1. */
    private static Tensor images(int n, long seed) {
        Rng rng = new Rng(seed);
        Tensor images = Tensor.zeros(DType.F32, n, 3, 4, 4);
        for (int i = 0; i < images.size(); i++) {
            int c = (i / 16) % 3;
            images.set(i, 10 * c + (c + 1) * rng.gaussian());
        }
        return images;
    }

    private static double[] channelMoment(Tensor images, int power, double[] around) {
        double[] sums = new double[3];
        for (int i = 0; i < images.size(); i++) {
            int c = (i / 16) % 3;
            sums[c] += Math.pow(images.get(i) - around[c], power);
        }
        int count = images.size() / 3;
        for (int c = 0; c < 3; c++) {
            sums[c] /= count;
        }
        return sums;
    }

    @Test
    void fittedDataHasMeanZeroAndUnitStdPerChannel() {
        Tensor images = images(50, 1);
        Standardizer standardizer = Standardizer.fit(images);
        assertArrayEquals(channelMoment(images, 1, new double[3]), standardizer.mean(), 1e-9);
        standardizer.apply(images);
        assertArrayEquals(new double[3], channelMoment(images, 1, new double[3]), 1e-5, "means");
        assertArrayEquals(new double[] {1, 1, 1}, channelMoment(images, 2, new double[3]), 1e-5, "variances");
    }

    @Test
    void testDataIsStandardisedWithTheTrainingStatistics() {
        Tensor train = images(50, 1);
        Tensor test = images(20, 2);
        Tensor original = test.to(DType.F32);
        Standardizer standardizer = Standardizer.fit(train);
        standardizer.apply(test);
        double[] mean = standardizer.mean();
        double[] std = standardizer.std();
        for (int i = 0; i < test.size(); i++) {
            int c = (i / 16) % 3;
            assertEquals((float) ((original.get(i) - mean[c]) / std[c]), test.get(i), 0, "element " + i);
        }
        // The test set's own statistics differ, so its standardised mean is near 0 but not exactly.
        double[] testMeans = channelMoment(test, 1, new double[3]);
        for (double m : testMeans) {
            assertEquals(0, m, 0.5);
        }
    }

    @Test
    void populationStandardDeviationOverAllValuesForMatrices() {
        Standardizer standardizer = Standardizer.fit(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        assertArrayEquals(new double[] {2.5}, standardizer.mean());
        assertArrayEquals(new double[] {Math.sqrt(1.25)}, standardizer.std(), 1e-15, "divides by N, not N − 1");
    }

    @Test
    void constantChannelIsOnlyShifted() {
        Tensor images = Tensor.zeros(DType.F64, 2, 1, 2, 2);
        for (int i = 0; i < images.size(); i++) {
            images.set(i, 7);
        }
        Standardizer standardizer = Standardizer.fit(images);
        assertArrayEquals(new double[] {0}, standardizer.std());
        standardizer.apply(images);
        assertArrayEquals(new double[8], images.doubles());
    }

    @Test
    void channelCountMustMatchTheFit() {
        Standardizer standardizer = Standardizer.fit(images(4, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> standardizer.apply(Tensor.zeros(DType.F32, 2, 1, 4, 4)));
        assertEquals("Standardizer.apply: tensor of shape (2, 1, 4, 4) has 1 channels, the statistics were fitted on 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(Tensor.zeros(DType.F32, 5)));
    }
}
