package io.simdnet.engine.train;

import io.simdnet.engine.loss.Loss;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Optimizer;
import java.io.Serializable;

/**
 * How to build one replica of an experiment's model, loss and optimiser. Serialisable and deterministic, so a
 * data-parallel run ships it to its workers, and each builds the same network as the driver.
 */
public interface TrainingSetup extends Serializable {

    /** A new model whose initial weights and dropout masks follow from {@code seed}. */
    Model model(long seed);

    Loss loss();

    /** A new optimiser with no state. */
    Optimizer optimizer();
}
