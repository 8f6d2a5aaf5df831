package io.simdnet.engine.train;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.DType;
import io.simdnet.engine.tensor.Tensor;

/** Random 1×28×28 images with labels 0-9 for tests that only need the shapes of MNIST. */
final class CheckpointData {

    private CheckpointData() {
    }

    static Dataset random(int n, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(DType.F32, n, 1, 28, 28);
        Tensor y = Tensor.zeros(DType.F32, n);
        for (int i = 0; i < x.size(); i++) {
            x.set(i, rng.uniform(0, 1));
        }
        for (int i = 0; i < n; i++) {
            y.set(i, rng.nextInt(10));
        }
        return new Dataset(x, y);
    }
}
