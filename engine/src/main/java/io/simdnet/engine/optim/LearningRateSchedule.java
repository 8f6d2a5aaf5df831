package io.simdnet.engine.optim;

/** The learning rate for an epoch (counted from 0) given the initial rate; applied at the start of each epoch. */
public sealed interface LearningRateSchedule {

    double rate(int epoch, double initial);

    /** initial · factor^⌊epoch / every⌋, e.g. ×0.95 every epoch (PyTorch's StepLR). */
    record StepDecay(int every, double factor) implements LearningRateSchedule {
        public StepDecay {
            if (every <= 0 || !(factor > 0)) {
                throw new IllegalArgumentException("StepDecay: every = " + every + ", factor = " + factor + "; expected every > 0 and factor > 0");
            }
        }

        @Override
        public double rate(int epoch, double initial) {
            return initial * Math.pow(factor, epoch / every);
        }
    }

    /** initial · γ^epoch (PyTorch's ExponentialLR). */
    record Exponential(double gamma) implements LearningRateSchedule {
        public Exponential {
            if (!(gamma > 0)) {
                throw new IllegalArgumentException("Exponential schedule: γ = " + gamma + ", expected > 0");
            }
        }

        @Override
        public double rate(int epoch, double initial) {
            return initial * Math.pow(gamma, epoch);
        }
    }

    /** Cosine annealing from the initial rate to {@code minimum} over {@code epochs} (PyTorch's CosineAnnealingLR without restarts). */
    record Cosine(int epochs, double minimum) implements LearningRateSchedule {
        public Cosine {
            if (epochs <= 0 || !(minimum >= 0)) {
                throw new IllegalArgumentException("Cosine schedule: epochs = " + epochs + ", minimum = " + minimum + "; expected epochs > 0, minimum >= 0");
            }
        }

        @Override
        public double rate(int epoch, double initial) {
            int e = Math.min(epoch, epochs);
            return minimum + (initial - minimum) * (1 + Math.cos(Math.PI * e / epochs)) / 2;
        }
    }
}
