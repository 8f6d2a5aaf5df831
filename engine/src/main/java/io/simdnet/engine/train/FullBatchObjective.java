package io.simdnet.engine.train;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.loss.Loss;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Lbfgs;
import io.simdnet.engine.profile.Profiler;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Tensor;

/**
 * A model's cost on a whole data set (loss plus regularisation, forward in training mode) with every trainable
 * parameter's gradient, as a full-batch optimiser such as {@link Lbfgs} evaluates it.
 */
public final class FullBatchObjective implements Lbfgs.Objective {

    private final Model model;
    private final Loss loss;
    private final Tensor inputs;
    private final Tensor targets;
    private final BatchBuffer gradient;

    public FullBatchObjective(Model model, Loss loss, Dataset data) {
        model.checkBatch(data.sampleShape().withBatch(data.size()));
        this.model = model;
        this.loss = loss;
        // The whole data set is one batch here, so it is gathered once (without copying float data as stored).
        Tensor all = data.inputs();
        this.inputs = all.dtype() == model.dtype() ? all : all.to(model.dtype());
        this.targets = data.targets().dtype() == model.dtype() ? data.targets() : data.targets().to(model.dtype());
        this.gradient = new BatchBuffer(model.dtype(), model.outputShape());
    }

    @Override
    public double evaluate() {
        Tensor out = model.forward(inputs, true);
        Profiler profiler = model.profiler();
        long start = profiler == null ? 0 : profiler.outsideStarts();
        Tensor dOut = gradient.get(out.batch());
        double cost = loss.compute(out, targets, dOut) + model.regularizationLoss();
        if (profiler != null) {
            profiler.outsideEnds(Profiler.Outside.LOSS, start);
        }
        model.backward(dOut);
        return cost;
    }
}
