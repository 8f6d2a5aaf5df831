package io.simdnet.spark;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/** The in-process Spark of the tests (this module's and the CLI's, through the test jar), and small learnable Fashion-MNIST-shaped data. */
public final class LocalSpark {

    private LocalSpark() {
    }

    /** local[2,2]: two task slots, and a failed task is tried once more (local mode ignores spark.task.maxFailures). */
    public static JavaSparkContext open() {
        return SparkContexts.open("simdnet tests", "local[2,2]", Map.of("spark.driver.host", "127.0.0.1", "spark.driver.bindAddress", "127.0.0.1"));
    }

    /** {@code count} 1×28×28 images whose class (of 10) sets the brightness of one of ten bands, plus noise. */
    public static Dataset images(int count, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(DType.F32, count, 1, 28, 28);
        Tensor y = Tensor.zeros(DType.F32, count);
        for (int i = 0; i < count; i++) {
            int label = rng.nextInt(10);
            y.set(i, label);
            for (int p = 0; p < 784; p++) {
                double band = (p / 28) / 3 == label ? 0.8 : 0.1;
                x.set(i * 784 + p, band + 0.2 * rng.nextDouble());
            }
        }
        return Dataset.of(x, y);
    }
}
