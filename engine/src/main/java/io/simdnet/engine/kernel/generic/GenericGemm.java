package io.simdnet.engine.kernel;

import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.GemmArguments;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.ParallelTask;
import io.simdnet.kernel.TaskSplit;
import io.simdnet.kernel.spec.GemmSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The unspecialised float GEMM that serves a spec when no generated class can be had (run-time compilation
 * unavailable). Vectorised over N with sizes read at run time. Each element of C is one FMA chain in k
 * order from the same start as the generated kernels, so it gives the same bits as they do.
 */
public final class GenericFloatGemm implements FloatGemmKernel {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();

    private final GemmSpec spec;
    private final ThreadLocal<Call> calls = ThreadLocal.withInitial(Call::new);

    public GenericFloatGemm(GemmSpec spec) {
        this.spec = spec;
    }

    @Override
    public GemmSpec spec() {
        return spec;
    }

    @Override
    public void gemm(int m, float[] a, int aOffset, float[] b, int bOffset, float[] bias, float[] c, int cOffset) {
        GemmArguments.check(spec, m, a, aOffset, b, bOffset, bias, c, cOffset);
        if (m == 0) {
            return;
        }
        Call call = calls.get();
        int k = spec.k();
        int n = spec.n();
        call.m = m;
        call.a = a;
        call.aOffset = aOffset;
        call.bias = bias;
        call.c = c;
        call.cOffset = cOffset;
        if (spec.form().transposeB()) {
            // Row k of op(B) must be contiguous for the vector loop: copy Bᵀ once per call.
            if (call.bT.length < k * n) {
                call.bT = new float[k * n];
            }
            for (int j = 0; j < n; j++) {
                for (int kk = 0; kk < k; kk++) {
                    call.bT[kk * n + j] = b[bOffset + j * k + kk];
                }
            }
            call.b = call.bT;
            call.bOffset = 0;
        } else {
            call.b = b;
            call.bOffset = bOffset;
        }
        call.tasks = KernelPool.tasksFor(2L * m * n * k, m);
        try {
            KernelPool.run(call, call.tasks);
        } finally {
            call.a = null;
            call.b = null;
            call.bias = null;
            call.c = null;
        }
    }

    private final class Call implements ParallelTask {
        int m;
        float[] a;
        int aOffset;
        float[] b;
        int bOffset;
        float[] bias;
        float[] c;
        int cOffset;
        int tasks;
        float[] bT = new float[0];

        @Override
        public void runTask(int task) {
            int k = spec.k();
            int n = spec.n();
            boolean transposeA = spec.form().transposeA();
            int i0 = TaskSplit.start(m, tasks, task);
            int i1 = TaskSplit.start(m, tasks, task + 1);
            for (int i = i0; i < i1; i++) {
                int cRow = cOffset + i * n;
                // The same start of each FMA chain as the generated kernels: C + bias, C, bias or zero.
                for (int j = 0; j < n; j++) {
                    float start = spec.accumulate() ? c[cRow + j] : 0f;
                    c[cRow + j] = spec.bias() ? start + bias[j] : start;
                }
                for (int kk = 0; kk < k; kk++) {
                    float aik = transposeA ? a[aOffset + kk * m + i] : a[aOffset + i * k + kk];
                    FloatVector av = FloatVector.broadcast(S, aik);
                    int bRow = bOffset + kk * n;
                    int j = 0;
                    for (; j < S.loopBound(n); j += LANES) {
                        av.fma(FloatVector.fromArray(S, b, bRow + j), FloatVector.fromArray(S, c, cRow + j)).intoArray(c, cRow + j);
                    }
                    if (j < n) {
                        VectorMask<Float> tail = S.indexInRange(j, n);
                        av.fma(FloatVector.fromArray(S, b, bRow + j, tail), FloatVector.fromArray(S, c, cRow + j, tail))
                                .intoArray(c, cRow + j, tail);
                    }
                }
            }
        }
    }
}
