package io.simdnet.bench;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.generic.GenericConv2d;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
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
 * Convolution time per call, forward and backward (dX + dW + dB) separately, for the generated kernel on 1
 * and 2 threads and the generic direct loops (one thread: they are not parallel). FLOPs: forward
 * 2·N·OC·OH·OW·C·KH·KW, backward twice that, as ../shared/peers/conv.py counts them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow", "-Xmx4g", "-Dsimdnet.tune=off"})
public class ConvBench {

    @Param({"CS231N_B100", "LENET_C1_B32", "LENET_C1_B128", "LENET_C3_B32", "LENET_C3_B128", "LENET_C5_B32", "LENET_C5_B128",
        "CIFAR_3TO32_B64", "CIFAR_32TO32_B64", "CIFAR_64TO64_B64", "CIFAR_128TO128_8X8_B64", "STRIDED_64TO128_B64"})
    public ConvLayers layer;

    @Param({"generated"})
    public String impl;

    @Param({"1", "2"})
    public int threads;

    /** The algorithm asked of the generated kernel: auto (the plan's rule and the tuning records), or one by its token. */
    @Param({"auto"})
    public String algo;

    private FloatConv2dKernel kernel;
    private int n;
    private float[] x;
    private float[] w;
    private float[] b;
    private float[] y;
    private float[] dy;
    private float[] dx;
    private float[] dw;
    private float[] db;

    @Setup(Level.Trial)
    public void setUp() {
        KernelPool.setThreads(threads);
        Conv2dSpec spec = algo.equals("auto") ? layer.spec : layer.spec.withAlgorithm(Conv2dAlgorithm.fromToken(algo));
        kernel = switch (impl) {
            case "generated" -> KernelRegistry.global().floatConv2d(spec);
            case "tuned" -> {
                TunedKernels.use(layer.name(), layer.spec, layer.batch);
                yield KernelRegistry.global().floatConv2d(layer.spec);
            }
            case "generic" -> new GenericConv2d(layer.spec);
            default -> throw new IllegalArgumentException("impl '" + impl + "': expected generated, tuned or generic");
        };
        n = layer.batch;
        var s = layer.spec;
        SplittableRandom random = new SplittableRandom(7);
        x = BenchData.random(random, n * s.inChannels() * s.height() * s.width());
        w = BenchData.random(random, s.outChannels() * s.patchSize());
        b = BenchData.random(random, s.outChannels());
        dy = BenchData.random(random, n * s.outChannels() * s.outHeight() * s.outWidth());
        y = new float[dy.length];
        dx = new float[x.length];
        dw = new float[w.length];
        db = new float[b.length];
    }


    @Benchmark
    public float[] forward() {
        kernel.forward(n, x, w, b, y);
        return y;
    }

    @Benchmark
    public float[] backward() {
        kernel.backwardData(n, dy, w, dx);
        kernel.backwardWeights(n, x, dy, dw, db);
        return dw;
    }
}
