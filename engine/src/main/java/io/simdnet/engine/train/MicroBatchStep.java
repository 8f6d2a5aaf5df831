package io.simdnet.engine.train;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.kernel.ParallelRange;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.profile.Profiler;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.HandOverClock;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.ParallelTask;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A training step's forward and backward passes split into micro-batches that run side by side on the kernel pool:
 * one fork for every micro-batch's forward, one for every backward, one to add up the parameter gradients, where the
 * whole batch would take a fork (and a wake-up of the pool's workers) at every kernel call. Micro-batch 0 runs on the
 * model itself, micro-batch m on its m-th {@link Model#microBatchReplica}, and each runs start to end on one thread,
 * its kernels unsplit. Fed from {@link MiniBatches}, a micro-batch also gathers its own inputs there.
 *
 * <p>Results do not depend on the number of threads: the split depends only on the batch size and the micro-batch
 * count; a micro-batch's passes are the same whichever thread runs them; and each parameter gradient is the sum of
 * the micro-batches' in micro-batch order. The loss sees the whole batch's outputs, gathered in sample order, so its
 * value and its gradient are those of the unsplit step; the parameter gradients differ from the unsplit step's only
 * in the order their terms are added.
 */
final class MicroBatchStep {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final Model model;
    private final Model[] replicas;
    private final BatchBuffer[] inputs;
    private final BatchBuffer[] outputGradients;
    private final BatchBuffer output;
    private final GradientSum gradientSum;
    /** The model's random streams (dropout's), and each replica's, by micro-batch: [m][stream]. */
    private final Rng[][] streams;
    private final Passes passes = new Passes();

    private int count;
    private int batch;
    private Tensor wholeInput;
    /** Where the micro-batches gather their own inputs from instead of copying them out of {@link #wholeInput}; or null. */
    private MiniBatches gatherFrom;
    private Tensor wholeOutput;
    private Tensor wholeGradient;

    /** Replicas of {@code model} for up to {@code maxCount} micro-batches, built now (with their buffers, on first use). */
    MicroBatchStep(Model model, int maxCount) {
        this.model = model;
        this.replicas = new Model[maxCount];
        this.inputs = new BatchBuffer[maxCount];
        this.outputGradients = new BatchBuffer[maxCount];
        replicas[0] = model;
        for (int m = 0; m < maxCount; m++) {
            if (m > 0) {
                replicas[m] = model.microBatchReplica();
            }
            inputs[m] = new BatchBuffer(model.dtype(), model.inputShape());
            outputGradients[m] = new BatchBuffer(model.dtype(), model.outputShape());
        }
        this.output = new BatchBuffer(model.dtype(), model.outputShape());
        List<Parameter> own = model.trainableParameters();
        Tensor[][] parts = new Tensor[own.size()][maxCount];
        for (int m = 0; m < maxCount; m++) {
            List<Parameter> theirs = replicas[m].trainableParameters();
            for (int i = 0; i < own.size(); i++) {
                parts[i][m] = theirs.get(i).gradient();
            }
        }
        this.gradientSum = new GradientSum(parts);
        this.streams = new Rng[maxCount][];
        for (int m = 0; m < maxCount; m++) {
            streams[m] = replicas[m].randomStreams().values().toArray(new Rng[0]);
        }
    }

    /** Micro-batches this step can split a batch into. */
    int maxCount() {
        return replicas.length;
    }

    /** Samples in micro-batch {@code m} of {@code count} over a batch of {@code batch}: the first {@code batch % count} take one more. */
    static int size(int batch, int count, int m) {
        return batch / count + (m < batch % count ? 1 : 0);
    }

    /** The first sample of micro-batch {@code m}. */
    static int start(int batch, int count, int m) {
        return m * (batch / count) + Math.min(m, batch % count);
    }

    /**
     * The training-mode outputs of the whole batch {@code x}, split into {@code count} micro-batches (2 ≤ count ≤
     * {@link #maxCount()}, count ≤ the batch); the tensor belongs to this step until its next call.
     */
    Tensor forward(Tensor x, int count) {
        this.wholeInput = x.dtype() == model.dtype() ? x : x.to(model.dtype());
        try {
            return forward(x.batch(), count);
        } finally {
            wholeInput = null;
        }
    }

    /**
     * As {@link #forward(Tensor, int)} on the current batch of {@code batches} (not augmented), each micro-batch
     * gathering its own samples on the thread that trains it, straight into its input buffer: the whole batch is never
     * gathered on one thread and copied again.
     */
    Tensor forward(MiniBatches batches, int count) {
        if (batches.augments()) {
            throw new IllegalArgumentException("Micro-batch step: augmented batches are changed as a whole; gather them first");
        }
        this.gatherFrom = batches;
        try {
            return forward(batches.nextSize(), count);
        } finally {
            gatherFrom = null;
        }
    }

    private Tensor forward(int batchSize, int count) {
        if (count < 2 || count > replicas.length || count > batchSize) {
            throw new IllegalArgumentException("Micro-batch step: " + count + " micro-batches of a batch of " + batchSize
                    + ", expected 2 to " + Math.min(replicas.length, batchSize));
        }
        this.count = count;
        this.batch = batchSize;
        this.wholeOutput = output.get(batch);
        // Each micro-batch draws (dropout masks) from its own stream, split from the model's here on this thread, so
        // the draws depend on the step and the micro-batch, not on which thread runs it or when; micro-batch 0 goes on
        // with the model's own stream, which a checkpoint saves.
        for (int k = 0; k < streams[0].length; k++) {
            for (int m = 1; m < count; m++) {
                streams[0][k].splitInto(streams[m][k]);
            }
        }
        passes.run(false);
        return wholeOutput;
    }

    /** Back-propagates dLoss/dOutput of the whole batch of the last {@link #forward}, leaving the model's parameter gradients the sum over its micro-batches. */
    void backward(Tensor gradient) {
        if (gradient.size() != wholeOutput.size()) {
            throw new IllegalArgumentException("Micro-batch step: output gradient " + gradient.shape() + ", expected " + wholeOutput.shape());
        }
        wholeGradient = gradient;
        passes.run(true);
        wholeGradient = null;
        Profiler profiler = model.profiler();
        long start = profiler == null ? Profiler.NOT_TIMED : profiler.outsideStarts();
        gradientSum.add(count);
        if (profiler != null) {
            profiler.outsideEnds(Profiler.Outside.GRADIENT_SUM, start);
        }
    }

    private void forward(int m) {
        int n = size(batch, count, m);
        int first = start(batch, count, m);
        int sampleIn = model.inputShape().size();
        int sampleOut = model.outputShape().size();
        Tensor x = inputs[m].get(n);
        if (gatherFrom != null) {
            Profiler profiler = model.profiler();
            long start = profiler == null ? Profiler.NOT_TIMED : profiler.outsideStarts();
            gatherFrom.gatherInputs(first, n, x);
            if (profiler != null) {
                profiler.outsideEnds(Profiler.Outside.DATA, start);
            }
        } else {
            Tensor.copy(wholeInput, first * sampleIn, x, 0, n * sampleIn);
        }
        Tensor y = replicas[m].forward(x, true);
        Tensor.copy(y, 0, wholeOutput, first * sampleOut, n * sampleOut);
    }

    private void backward(int m) {
        int n = size(batch, count, m);
        int sampleOut = model.outputShape().size();
        Tensor dy = outputGradients[m].get(n);
        Tensor.copy(wholeGradient, start(batch, count, m) * sampleOut, dy, 0, n * sampleOut);
        replicas[m].backward(dy);
    }

    /**
     * Every micro-batch's forward or backward in one fork: each task takes the next micro-batch not yet taken, so a
     * thread that runs slower (a busier core) takes fewer. Which thread runs a micro-batch changes nothing in it.
     */
    private final class Passes implements ParallelTask {
        private final AtomicInteger next = new AtomicInteger();
        private boolean backward;
        /** While profiled: the thread the profiler records, and the time it spent in micro-batches of its own. */
        private Thread profiled;
        private long ownNanos;

        void run(boolean backwardPasses) {
            this.backward = backwardPasses;
            next.set(0);
            int tasks = Math.min(count, KernelPool.threads());
            Profiler profiler = model.profiler();
            long start = profiler == null ? Profiler.NOT_TIMED : profiler.outsideStarts();
            if (start == Profiler.NOT_TIMED) {
                KernelPool.run(this, tasks);
                return;
            }
            // The wait for the other threads is its own row, not the pool's hand-overs (time inside kernels).
            HandOverClock clock = KernelPool.handOverClock();
            boolean clockWasOn = clock.isOn();
            clock.on(false);
            profiled = Thread.currentThread();
            ownNanos = 0;
            try {
                KernelPool.run(this, tasks);
            } finally {
                profiled = null;
                clock.on(clockWasOn);
            }
            profiler.outsideEnds(Profiler.Outside.MICRO_BATCHES, start + ownNanos);
        }

        @Override
        public void runTask(int task) {
            boolean timed = Thread.currentThread() == profiled;
            for (int m = next.getAndIncrement(); m < count; m = next.getAndIncrement()) {
                long start = timed ? System.nanoTime() : 0;
                if (backward) {
                    backward(m);
                } else {
                    forward(m);
                }
                if (timed) {
                    ownNanos += System.nanoTime() - start;
                }
            }
        }
    }

    /**
     * Each parameter gradient of micro-batch 0 (the model's own) += those of micro-batches 1 .. count−1, in that
     * order for every element; the parameters' elements, laid end to end, dealt to the pool in granules.
     */
    private static final class GradientSum extends ParallelRange {
        private final Tensor[][] parts;
        private final long[] offsets;
        private int count;

        GradientSum(Tensor[][] parts) {
            this.parts = parts;
            this.offsets = new long[parts.length + 1];
            for (int i = 0; i < parts.length; i++) {
                offsets[i + 1] = offsets[i] + parts[i][0].size();
            }
            if (offsets[parts.length] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Micro-batch step: " + offsets[parts.length] + " trainable parameters, at most "
                        + Integer.MAX_VALUE + " supported");
            }
        }

        void add(int micro) {
            this.count = micro;
            run((int) offsets[parts.length], ELEMENT_GRANULE, ELEMENT_FLOPS * (micro - 1));
        }

        @Override
        protected void range(int first, int end) {
            for (int i = 0; i < parts.length; i++) {
                int from = (int) Math.max(first, offsets[i]);
                int to = (int) Math.min(end, offsets[i + 1]);
                if (from >= to) {
                    continue;
                }
                int a = (int) (from - offsets[i]);
                int b = (int) (to - offsets[i]);
                Tensor[] terms = parts[i];
                if (terms[0].floats() != null) {
                    float[] into = terms[0].floats();
                    for (int m = 1; m < count; m++) {
                        add(into, terms[m].floats(), a, b);
                    }
                } else {
                    double[] into = terms[0].doubles();
                    for (int m = 1; m < count; m++) {
                        double[] term = terms[m].doubles();
                        for (int k = a; k < b; k++) {
                            into[k] += term[k];
                        }
                    }
                }
            }
        }

        private static void add(float[] into, float[] term, int from, int to) {
            int k = from;
            for (int bound = from + F.loopBound(to - from); k < bound; k += F.length()) {
                FloatVector.fromArray(F, into, k).add(FloatVector.fromArray(F, term, k)).intoArray(into, k);
            }
            for (; k < to; k++) {
                into[k] += term[k];
            }
        }
    }
}
