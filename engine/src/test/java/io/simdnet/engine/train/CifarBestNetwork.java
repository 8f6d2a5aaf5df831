package io.simdnet.engine.train;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;

/** Data for the engine's tests of the {@code cifar-best} network ({@code CourseModels.cifarBest}). */
final class CifarBestNetwork {

    private CifarBestNetwork() {
    }

    /** Random 3×32×32 images, standard normal as standardised CIFAR pixels, with random labels below {@code classes}. */
    static Dataset images(int count, int classes, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(DType.F32, count, 3, 32, 32);
        Tensor y = Tensor.zeros(DType.F32, count);
        for (int i = 0; i < x.size(); i++) {
            x.set(i, rng.gaussian());
        }
        for (int i = 0; i < count; i++) {
            y.set(i, rng.nextInt(classes));
        }
        return Dataset.of(x, y);
    }
}
