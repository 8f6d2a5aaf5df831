package io.simdnet.bench;

import io.simdnet.engine.kernel.KernelOrigin;
import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.GemmSpec;
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

/**
 * Float GEMM time per call for the generated kernel and the generic vector kernel on the squares and network
 * shapes, on 1 and 2 threads. GFLOP/s = 2·M·N·K / time; {@code bench/report.py} turns the JSON into a table
 * with the fraction of {@link PeakBench}'s peak. {@link NetlibMatmulBench} and {@link NaiveMatmulBench}
 * measure the baselines on the same shapes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow", "-Xmx4g", "-Dsimdnet.tune=off"})
public class MatmulBench {

    @Param({"64x64x64:NN", "128x128x128:NN", "256x256x256:NN", "512x512x512:NN", "1024x1024x1024:NN", "2048x2048x2048:NN",
        "32x784x128:NN", "128x784x128:NN", "128x128x64:NN", "128x64x10:NN", "128x128x10:NN", "32x120x84:NN",
        "128x3072x100:NN", "1024x3072x100:NN", "1024x256x64:NN", "128x784x128:NT", "128x784x128:TN", "128x128x784:NT", "784x128x128:TN"})
    public String shape;

    @Param({"generated", "generic"})
    public String impl;

    @Param({"1", "2"})
    public int threads;

    private MatmulShape s;
    private FloatGemmKernel kernel;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup(Level.Trial)
    public void setUp() {
        s = MatmulShape.parse(shape);
        KernelPool.setThreads(threads);
        GemmSpec spec = GemmSpec.of(DType.F32, s.form(), s.k(), s.n(), false, false);
        switch (impl) {
            case "generated", "tuned" -> {
                if (impl.equals("tuned")) {
                    TunedKernels.use(shape, spec, s.m());
                }
                kernel = KernelRegistry.global().floatGemm(spec);
                KernelOrigin origin = KernelRegistry.global().origin(spec);
                if (origin == KernelOrigin.GENERIC) {
                    throw new IllegalStateException("no generated kernel for " + spec.key());
                }
            }
            case "generic" -> kernel = (FloatGemmKernel) KernelRegistry.generic(spec);
            default -> throw new IllegalArgumentException("impl '" + impl + "': expected generated, tuned or generic");
        }
        SplittableRandom random = new SplittableRandom(42);
        a = BenchData.random(random, s.m() * s.k());
        b = BenchData.random(random, s.k() * s.n());
        c = new float[s.m() * s.n()];
    }


    @Benchmark
    public float[] gemm() {
        kernel.gemm(s.m(), a, 0, b, 0, null, c, 0);
        return c;
    }
}
