package io.simdnet.cli;

import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.kernel.DType;
import java.util.Arrays;
import java.util.Locale;

/** The networks a sweep can train, all on 28×28 Fashion-MNIST images; {@code --model} names them. */
public enum SweepModel {

    /** MLP 784-128-64-10 with dropout after each hidden layer. */
    FASHION_MLP("fashion-mlp") {
        @Override
        public Model build(double dropout, long seed) {
            Sequential.Builder b = Sequential.input(1, 28, 28).add(new Flatten());
            for (int units : new int[] {128, 64}) {
                b.add(new Dense(units)).add(new Relu());
                if (dropout > 0) {
                    b.add(new Dropout(dropout));
                }
            }
            return b.add(new Dense(10)).build(DType.F32, seed);
        }
    },

    /** LeNet-5 as {@code lenet5} trains it, dropout after each pooling layer and the third convolution. */
    LENET5("lenet5") {
        @Override
        public Model build(double dropout, long seed) {
            return CourseModels.lenet5(false, dropout).build(DType.F32, seed);
        }
    };

    private final String cliName;

    SweepModel(String cliName) {
        this.cliName = cliName;
    }

    public abstract Model build(double dropout, long seed);

    public String cliName() {
        return cliName;
    }

    /** The model called {@code name} on the command line. */
    public static SweepModel named(String name) {
        for (SweepModel m : values()) {
            if (m.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("--model '" + name + "': expected one of "
                + Arrays.stream(values()).map(SweepModel::cliName).toList());
    }
}
