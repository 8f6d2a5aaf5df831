package io.simdnet.spark;

import io.simdnet.engine.layer.LogSoftmax;
import io.simdnet.engine.loss.Loss;
import io.simdnet.engine.loss.NllLoss;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.optim.Sgd;
import io.simdnet.engine.train.TrainingSetup;
import io.simdnet.kernel.DType;

/** The networks the data-parallel tests train, as the mnist-cnn and lenet5 commands build them. */
final class CourseSetups {

    private CourseSetups() {
    }

    /** The MNIST CNN with log-softmax, NLL and plain SGD. */
    record MnistCnnSgd(double learningRate) implements TrainingSetup {
        @Override
        public Model model(long seed) {
            return CourseModels.mnistCnn().add(new LogSoftmax()).build(DType.F32, seed);
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

    /** LeNet-5 (optionally with dropout), softmax cross-entropy and Adam. */
    record Lenet5Adam(double dropout, double learningRate) implements TrainingSetup {
        @Override
        public Model model(long seed) {
            return CourseModels.lenet5(false, dropout).build(DType.F32, seed);
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
}
