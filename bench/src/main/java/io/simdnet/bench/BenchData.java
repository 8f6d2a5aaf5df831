package io.simdnet.bench;

import java.util.SplittableRandom;

/** Benchmark inputs: uniform in [-0.5, 0.5), from a seeded generator so every run times the same data. */
final class BenchData {

    private BenchData() {
    }

    static float[] random(SplittableRandom random, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (random.nextDouble() - 0.5);
        }
        return a;
    }
}
