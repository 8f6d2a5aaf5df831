package io.simdnet.bench;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.tuning.ModelTuner;
import io.simdnet.engine.layer.LogSoftmax;
import io.simdnet.engine.loss.Loss;
import io.simdnet.engine.loss.NllLoss;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.optim.Sgd;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.MiniBatches;
import io.simdnet.engine.train.Trainer;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.KernelPool;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step as ../shared/peers/train.py times PyTorch's: gather a shuffled batch, forward, loss,
 * backward, optimiser update. Images per second = batch / time per step. The models are the course networks
 * (Fashion-MNIST shapes, random pixels: the time does not depend on the values).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow", "-Xmx4g", "-Dsimdnet.tune=off"})
public class TrainingStepBench {

    /** The peers' workloads: model, batch size, optimiser and loss as train.py's MODELS table. */
    public enum Workload {
        MLP_ADAM_B128(128),
        LENET5_ADAM_B32(32),
        LENET5_ADAM_B128(128),
        MNISTCNN_SGD_B64(64);

        final int batch;

        Workload(int batch) {
            this.batch = batch;
        }
    }

    private static final int SAMPLES = 6_400;

    @Param({"MLP_ADAM_B128", "LENET5_ADAM_B32", "LENET5_ADAM_B128", "MNISTCNN_SGD_B64"})
    public Workload workload;

    @Param({"1", "2"})
    public int threads;

    /** "off": the default variants; "tuned": every kernel served by its tuning record (made at setup where missing). */
    @Param({"off"})
    public String tuning;

    /** Micro-batches a step splits its batch into ({@code Trainer.microBatches}, default 2); 1: the whole batch at once. */
    @Param({"2"})
    public int microBatches;

    private Trainer trainer;
    private MiniBatches batches;

    @Setup(Level.Trial)
    public void setUp() {
        KernelPool.setThreads(threads);
        if (tuning.equals("tuned")) {
            // The registry serves the winners to the layers built after this.
            for (ModelTuner.Result r : ModelTuner.tune(() -> model().passOnNoise(workload.batch), KernelRegistry.global().tuning(), false)) {
                TunedKernels.note(workload.name(), r.spec(), r.record() == null ? r.spec() : r.record().winner());
            }
        } else if (!tuning.equals("off")) {
            throw new IllegalArgumentException("tuning '" + tuning + "': expected off or tuned");
        }
        Model model = model();
        Loss loss;
        Optimizer optimizer;
        switch (workload) {
            case MLP_ADAM_B128 -> {
                loss = new SoftmaxCrossEntropy();
                optimizer = new Adam(1e-3);
            }
            case MNISTCNN_SGD_B64 -> {
                loss = new NllLoss();
                optimizer = new Sgd(0.01);
            }
            default -> {
                loss = new SoftmaxCrossEntropy();
                optimizer = new Adam(1e-3);
            }
        }
        SplittableRandom random = new SplittableRandom(3);
        Tensor images = Tensor.of(BenchData.random(random, SAMPLES * 784), SAMPLES, 1, 28, 28);
        float[] labels = new float[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            labels[i] = random.nextInt(10);
        }
        trainer = new Trainer(model, loss, optimizer).microBatches(microBatches);
        batches = new MiniBatches(Dataset.of(images, Tensor.of(labels, SAMPLES)), workload.batch, true, 5, DType.F32);
        batches.startEpoch();
    }

    private Model model() {
        return switch (workload) {
            case MLP_ADAM_B128 -> CourseModels.mlp(128, 64).build(DType.F32, 1);
            case MNISTCNN_SGD_B64 -> CourseModels.mnistCnn().add(new LogSoftmax()).build(DType.F32, 1);
            default -> CourseModels.lenet5(false).build(DType.F32, 1);
        };
    }

    private KernelPool.Session awake;

    /** As {@code Trainer.fit} does for its steps: the pool's workers stay awake from one step to the next. */
    @Setup(Level.Iteration)
    public void keepWorkersAwake() {
        awake = KernelPool.session();
    }

    @TearDown(Level.Iteration)
    public void letWorkersSleep() {
        awake.close();
    }

    @Benchmark
    public double step() {
        if (!batches.hasNext() || batches.nextSize() != workload.batch) {
            batches.startEpoch();
        }
        // As fit steps: a micro-batch gathers its own samples on the thread that trains it.
        double loss = trainer.trainStep(batches);
        batches.advance();
        return loss;
    }
}
