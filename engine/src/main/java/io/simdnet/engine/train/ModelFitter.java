package io.simdnet.engine.train;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.Trainer;

/**
 * How an experiment trains its model: in this JVM ({@link #LOCAL}, {@code Trainer.fit}) or data-parallel on a
 * cluster (the Spark module). Either way {@code trainer}'s model ends trained, and its history and run folder
 * are the same kind of thing.
 */
@FunctionalInterface
public interface ModelFitter {

    ModelFitter LOCAL = (trainer, setup, train, fit) -> trainer.fit(train, fit);

    /** Trains {@code trainer}'s model (built by {@code setup}) on {@code train} as {@code fit} says. */
    History fit(Trainer trainer, TrainingSetup setup, Dataset train, FitOptions fit) throws Exception;

    /** Figures of the last fit for the run's metrics.json beside the experiment's own (workers, synchronisation cost). */
    default java.util.Map<String, Object> metrics() {
        return java.util.Map.of();
    }
}
