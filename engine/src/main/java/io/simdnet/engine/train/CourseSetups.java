package io.simdnet.engine.train;

import io.simdnet.engine.layer.LogSoftmax;
import io.simdnet.engine.loss.Loss;
import io.simdnet.engine.loss.NllLoss;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.optim.Sgd;
import io.simdnet.kernel.DType;

/**
 * The course networks with their loss and optimiser as {@link TrainingSetup}s: what the {@code lenet5} and
 * {@code mnist}/{@code mnist-cnn} commands train, and what a data-parallel run rebuilds on every worker.
 */
public final class CourseSetups {

    private CourseSetups() {
    }

    /** LeNet-5 (optionally with batch norm and dropout), softmax cross-entropy and Adam. */
    public record Lenet5(boolean batchNorm, double dropout, double learningRate) implements TrainingSetup {
        @Override
        public Model model(long seed) {
            return CourseModels.lenet5(batchNorm, dropout).build(DType.F32, seed);
        }

        @Override
        public Loss loss() {
            return new SoftmaxCrossEntropy();
        }

        @Override
        public Optimizer optimizer() {
            return new Adam(learningRate);
        }
    }

    /** The PyTorch MNIST exercise: the MLP or the CNN with log-softmax, NLL and plain SGD. */
    public record Mnist(boolean cnn, double learningRate) implements TrainingSetup {
        @Override
        public Model model(long seed) {
            return (cnn ? CourseModels.mnistCnn() : CourseModels.mlp(128)).add(new LogSoftmax()).build(DType.F32, seed);
        }

        @Override
        public Loss loss() {
            return new NllLoss();
        }

        @Override
        public Optimizer optimizer() {
            return new Sgd(learningRate);
        }
    }
}
