package io.simdnet.bench;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.generic.GenericPool2d;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.FloatPool2dKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.Pool2dSpec;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** 2×2 stride-2 max pooling, forward and backward, generated (1 and 2 threads) and generic, on the peers' shapes. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow", "-Xmx4g"})
public class PoolBench {

    /** batch x channels x size, as in conv.py: the CS231n pool and LeNet-5's pool after conv1. */
    @Param({"100x3x32", "32x6x28", "128x6x28"})
    public String shape;

    @Param({"generated", "generic"})
    public String impl;

    @Param({"1", "2"})
    public int threads;

    private FloatPool2dKernel kernel;
    private int n;
    private float[] x;
    private float[] y;
    private int[] argmax;
    private float[] dx;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        n = Integer.parseInt(p[0]);
        int c = Integer.parseInt(p[1]);
        int size = Integer.parseInt(p[2]);
        Pool2dSpec spec = Pool2dSpec.max(DType.F32, c, size, size, 2, 2, 0);
        KernelPool.setThreads(threads);
        kernel = impl.equals("generic") ? new GenericPool2d(spec) : KernelRegistry.global().floatPool2d(spec);
        x = BenchData.random(new SplittableRandom(5), n * c * size * size);
        y = new float[n * c * spec.outHeight() * spec.outWidth()];
        argmax = new int[y.length];
        dx = new float[x.length];
        kernel.forward(n, x, y, argmax);
    }

    @Benchmark
    public float[] forward() {
        kernel.forward(n, x, y, argmax);
        return y;
    }

    @Benchmark
    public float[] backward() {
        kernel.backward(n, y, argmax, dx);
        return dx;
    }
}
