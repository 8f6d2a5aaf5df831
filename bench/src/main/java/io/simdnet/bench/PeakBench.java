package io.simdnet.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The attainable fp32 FMA rate of this machine through the Vector API, at 512, 256 and 128 bits. Scores are
 * FLOP per microsecond: divide by 1000 for GFLOP/s. Every other benchmark is quoted as a fraction of the peak
 * of the width its JVM runs (the fastest of these in the same JVM: a JVM limited to AVX2 runs {@code fma512}
 * in Java code), on one core or both.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow"})
public class PeakBench {

    private static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> S128 = FloatVector.SPECIES_128;
    private static final int STEPS = 4096;
    /** Independent FMA chains: more than latency (4) × pipes (2) needs, so the pipes never wait. */
    private static final int CHAINS = 12;
    private static final int FLOPS_512 = 2 * 16 * CHAINS * STEPS;
    private static final int FLOPS_256 = 2 * 8 * CHAINS * STEPS;
    private static final int FLOPS_128 = 2 * 4 * CHAINS * STEPS;

    // Not final: constants would let the JIT fold the chains.
    private float x = 1.0000001f;
    private float y = 0.9999999f;

    @Benchmark
    @OperationsPerInvocation(FLOPS_512)
    public float fma512() {
        return chains512(x, y);
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(FLOPS_512)
    public float fma512TwoCores() {
        return chains512(x, y);
    }

    @Benchmark
    @OperationsPerInvocation(FLOPS_256)
    public float fma256() {
        return chains256(x, y);
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(FLOPS_256)
    public float fma256TwoCores() {
        return chains256(x, y);
    }

    @Benchmark
    @OperationsPerInvocation(FLOPS_128)
    public float fma128() {
        return chains128(x, y);
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(FLOPS_128)
    public float fma128TwoCores() {
        return chains128(x, y);
    }

    // The species must be a constant where the vectors are made (a parameter defeats intrinsification),
    // hence one method per width.
    private static float chains512(float x, float y) {
        FloatVector a = FloatVector.broadcast(S512, x);
        FloatVector b = FloatVector.broadcast(S512, y);
        FloatVector c0 = a, c1 = b, c2 = a.add(b), c3 = a.sub(b), c4 = a.mul(b), c5 = a.add(a);
        FloatVector c6 = b.add(b), c7 = a.mul(a), c8 = b.mul(b), c9 = c2.add(a), c10 = c2.add(b), c11 = c3.add(a);
        for (int i = 0; i < STEPS; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    private static float chains256(float x, float y) {
        FloatVector a = FloatVector.broadcast(S256, x);
        FloatVector b = FloatVector.broadcast(S256, y);
        FloatVector c0 = a, c1 = b, c2 = a.add(b), c3 = a.sub(b), c4 = a.mul(b), c5 = a.add(a);
        FloatVector c6 = b.add(b), c7 = a.mul(a), c8 = b.mul(b), c9 = c2.add(a), c10 = c2.add(b), c11 = c3.add(a);
        for (int i = 0; i < STEPS; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    private static float chains128(float x, float y) {
        FloatVector a = FloatVector.broadcast(S128, x);
        FloatVector b = FloatVector.broadcast(S128, y);
        FloatVector c0 = a, c1 = b, c2 = a.add(b), c3 = a.sub(b), c4 = a.mul(b), c5 = a.add(a);
        FloatVector c6 = b.add(b), c7 = a.mul(a), c8 = b.mul(b), c9 = c2.add(a), c10 = c2.add(b), c11 = c3.add(a);
        for (int i = 0; i < STEPS; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
