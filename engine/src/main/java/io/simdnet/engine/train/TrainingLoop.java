package io.simdnet.engine.train;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.io.AtomicFiles;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.profile.Profiler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one training loop, whatever runs the steps ({@link StepSource}: this JVM or a cluster): epochs or a step
 * budget, callbacks, history, validation after every epoch, a checkpoint every {@link FitOptions#checkpointEvery}
 * epochs and when a stop is requested, resumption from one, and the two stop requests ({@link Trainer#stopAfterEpoch}
 * and {@link Trainer#interrupt}). With {@link FitOptions#profile} it marks each call of the source as a step for the
 * profiler, so that only steps are profiled (not validation or checkpoints), and times the callbacks.
 */
final class TrainingLoop {

    private final Trainer trainer;
    private final FitOptions options;

    TrainingLoop(Trainer trainer, FitOptions options) {
        this.trainer = trainer;
        this.options = options;
    }

    History run(Dataset train, StepSource.Factory sources) throws IOException {
        List<Dataset> data = options.trainAndValidation(train);
        Dataset trainData = data.get(0);
        Dataset validation = data.get(1);
        trainer.model().checkBatch(trainData.sampleShape().withBatch(trainData.size()));
        try (StepSource source = sources.open(trainer, trainData, options)) {
            if (!options.profiling()) {
                return run(source, trainData.size(), validation, null, false);
            }
            Profiler given = options.givenProfiler();
            Profiler profiler = given != null ? given : new Profiler();
            Model model = trainer.model();
            Profiler attached = model.profiler();
            model.profile(profiler);
            profiler.start();
            try {
                History history = run(source, trainData.size(), validation, profiler, given == null);
                history.profile(profiler.report());
                return history;
            } finally {
                profiler.stop();
                model.profile(attached);
            }
        }
    }

    /** The loop; {@code ownProfiler}: {@code profiler} is the fit's own, whose warm-up it sets. */
    private History run(StepSource source, int trainSize, Dataset validation, Profiler profiler, boolean ownProfiler) throws IOException {
        int stepsPerEpoch = source.stepsPerEpoch();
        List<Callback> callbacks = new ArrayList<>(options.callbacks());
        if (options.progressBar()) {
            callbacks.add(new ProgressBarCallback());
        }
        History history = new History();
        trainer.clearStopRequests();
        Path checkpoint = options.checkpointFile();
        // Counted in steps (when given) or in epochs; a run of N steps ends inside the epoch that reaches N.
        long maxSteps = options.steps() > 0 ? options.steps() : Long.MAX_VALUE;
        int epochs = options.steps() > 0 ? (int) Math.ceilDiv(options.steps(), stepsPerEpoch) : options.epochs();
        for (Callback c : callbacks) {
            c.onTrainBegin(trainer, epochs, stepsPerEpoch);
        }
        StepRecorder recorder = new StepRecorder(history, callbacks, profiler);
        // Restored after onTrainBegin: a schedule reads the optimiser's initial rate there, not the checkpoint's.
        TrainingCheckpoint.Position resumed = options.resumeFile() == null ? null
                : TrainingCheckpoint.restore(options.resumeFile(), trainer, source, options, trainSize, history);
        if (checkpoint != null) {
            AtomicFiles.removeStaleTemporaries(checkpoint);
        }
        int firstEpoch = resumed == null ? 0 : resumed.epoch();
        if (resumed != null && resumed.finished()) {
            trainer.stopAfterEpoch();
        }
        long stepsDone = resumed == null ? 0 : (long) resumed.epoch() * stepsPerEpoch + resumed.step();
        if (ownProfiler) {
            // A tenth of the steps this fit takes (a resumed one's remaining steps), counted once the resume is known.
            long planned = Math.max(0, Math.min(maxSteps, (long) epochs * stepsPerEpoch) - stepsDone);
            profiler.warmUpSteps((int) Math.min(Integer.MAX_VALUE, planned / FitOptions.PROFILE_WARM_UP_FRACTION));
        }
        for (int epoch = firstEpoch; epoch < epochs && !trainer.stopsAfterEpoch(); epoch++) {
            for (Callback c : callbacks) {
                c.onEpochBegin(trainer, epoch);
            }
            boolean continuing = resumed != null && epoch == resumed.epoch();
            EpochTally tally = continuing ? new EpochTally(resumed) : new EpochTally();
            long start = System.nanoTime();
            int firstStep = continuing ? resumed.step() : 0;
            source.startEpoch(epoch, firstStep);
            int step = firstStep;
            while (step < stepsPerEpoch && stepsDone < maxSteps) {
                if (trainer.takeInterrupt()) {
                    throw stop(source, trainSize, history, epoch, step, tally, start);
                }
                int count = (int) Math.min(Math.min(source.stepsPerCall(), stepsPerEpoch - step), maxSteps - stepsDone);
                recorder.at(epoch, step, tally);
                if (profiler != null) {
                    profiler.stepStarts();
                }
                try {
                    source.run(epoch, step, count, recorder);
                    if (profiler != null) {
                        profiler.stepEnds(count);
                    }
                } catch (StepsAbandonedException abandoned) {
                    trainer.takeInterrupt();
                    TrainingInterruptedException stopped = stop(source, trainSize, history, epoch, step, tally, start);
                    stopped.addSuppressed(abandoned);
                    throw stopped;
                }
                step += count;
                stepsDone += count;
            }
            double seconds = tally.previousSeconds + (System.nanoTime() - start) / 1e9;
            source.endEpoch();
            Evaluation val = validation == null ? null : trainer.evaluate(validation, options.validationBatchSize());
            EpochLogs logs = new EpochLogs(epoch, tally.lossSum / tally.seen, tally.classes ? (double) tally.correct / tally.seen : Double.NaN,
                    val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(), trainer.optimizer().learningRate(), seconds,
                    tally.seen / seconds);
            history.addEpoch(logs);
            for (Callback c : callbacks) {
                c.onEpochEnd(trainer, logs);
            }
            boolean stopping = trainer.stopsAfterEpoch();
            if (checkpoint != null && ((epoch + 1) % options.checkpointEvery() == 0 || epoch + 1 >= epochs || stopping)) {
                // Only a stop after an epoch (early stopping) ends a run for good; one that ran its epochs may be resumed with more.
                TrainingCheckpoint.save(checkpoint, trainer, source, options, trainSize,
                        new TrainingCheckpoint.Position(epoch + 1, 0, 0, 0, 0, true, 0, stopping), history);
            }
        }
        for (Callback c : callbacks) {
            c.onTrainEnd(trainer, history);
        }
        return history;
    }

    /** Checkpoints the run as it stands before step {@code step} of {@code epoch} (if it has a checkpoint) and says why it stopped. */
    private TrainingInterruptedException stop(StepSource source, int trainSize, History history, int epoch, int step, EpochTally tally, long start)
            throws IOException {
        double seconds = tally.previousSeconds + (System.nanoTime() - start) / 1e9;
        Path checkpoint = options.checkpointFile();
        if (checkpoint != null) {
            TrainingCheckpoint.save(checkpoint, trainer, source, options, trainSize,
                    new TrainingCheckpoint.Position(epoch, step, tally.lossSum, tally.seen, tally.correct, tally.classes, seconds, false), history);
        }
        return new TrainingInterruptedException(epoch, step, history, checkpoint);
    }

    /** Takes each step's figures into the history, the epoch's sums and the callbacks; one per fit, so a step allocates nothing. */
    private final class StepRecorder implements StepSource.StepSink {
        private final History history;
        private final List<Callback> callbacks;
        private final Profiler profiler;
        private int epoch;
        private int step;
        private EpochTally tally;

        StepRecorder(History history, List<Callback> callbacks, Profiler profiler) {
            this.history = history;
            this.callbacks = callbacks;
            this.profiler = profiler;
        }

        void at(int epochNow, int firstStep, EpochTally epochTally) {
            epoch = epochNow;
            step = firstStep;
            tally = epochTally;
        }

        @Override
        public void accept(double loss, int samples, int correct) {
            if (!Double.isFinite(loss)) {
                throw new NonFiniteLossException(epoch, step, loss, history);
            }
            long start = profiler == null ? 0 : profiler.outsideStarts();
            history.addStep(loss);
            tally.add(loss, samples, correct);
            for (Callback c : callbacks) {
                c.onBatchEnd(trainer, epoch, step, loss, samples);
            }
            if (profiler != null) {
                profiler.outsideEnds(Profiler.Outside.CALLBACKS, start);
            }
            step++;
        }
    }

    /** An epoch's running sums: loss × samples, samples, correct predictions, and the seconds of a resumed epoch's first part. */
    private static final class EpochTally {
        double lossSum;
        long correct;
        long seen;
        boolean classes = true;
        double previousSeconds;

        EpochTally() {
        }

        EpochTally(TrainingCheckpoint.Position resumed) {
            lossSum = resumed.lossSum();
            seen = resumed.seen();
            correct = resumed.correct();
            classes = resumed.classes();
            previousSeconds = resumed.seconds();
        }

        void add(double loss, int samples, int correctInBatch) {
            lossSum += loss * samples;
            seen += samples;
            classes &= correctInBatch >= 0;
            correct += Math.max(correctInBatch, 0);
        }
    }
}
