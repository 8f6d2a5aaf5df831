package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;

/**
 * The sparse autoencoder's activity penalty, placed after the hidden sigmoid: the identity in the forward pass,
 * adding β·Σ_j KL(ρ ‖ ρ̂_j) to the loss, with ρ̂_j the mean activation of unit j over the batch, and its gradient
 * β·(−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j))/N to every sample's unit j in the backward pass.
 */
public final class SparsityPenalty extends Layer {

    private final double target;
    private final double weight;
    private double[] meanActivation;
    private BatchBuffer inputGradient;
    private Tensor lastInput;

    /** @param target ρ, the desired mean activation; @param weight β */
    public SparsityPenalty(double target, double weight) {
        if (!(target > 0 && target < 1) || !(weight >= 0)) {
            throw new IllegalArgumentException("SparsityPenalty: target ρ = " + target + ", weight β = " + weight
                    + ", expected 0 < ρ < 1 and β >= 0");
        }
        this.target = target;
        this.weight = weight;
    }

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        if (input.rank() != 1) {
            throw new IllegalArgumentException("SparsityPenalty \"" + name() + "\": expects (units,) samples, got " + input);
        }
        meanActivation = new double[input.dim(0)];
        inputGradient = new BatchBuffer(dtype(), input);
        return input;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        int units = meanActivation.length;
        java.util.Arrays.fill(meanActivation, 0);
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < units; j++) {
                meanActivation[j] += x.get(s * units + j);
            }
        }
        for (int j = 0; j < units; j++) {
            meanActivation[j] /= n;
        }
        lastInput = x;
        return x;
    }

    /** β·Σ_j KL(ρ ‖ ρ̂_j) for the last forward batch; requires activations strictly between 0 and 1 (a sigmoid). */
    /** No: the penalty and its gradient depend on the mean activation over the whole batch. */
    @Override
    public boolean samplesIndependentInTraining() {
        return false;
    }

    @Override
    public double regularizationLoss() {
        if (lastInput == null) {
            return 0;
        }
        double sum = 0;
        for (double rhoHat : meanActivation) {
            sum += target * Math.log(target / rhoHat) + (1 - target) * Math.log((1 - target) / (1 - rhoHat));
        }
        return weight * sum;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        int n = lastInput.batch();
        checkGradient(dy, n);
        if (!needInputGradient) {
            return null;
        }
        Tensor dx = inputGradient.get(n);
        int units = meanActivation.length;
        for (int j = 0; j < units; j++) {
            double rhoHat = meanActivation[j];
            double extra = weight * (-target / rhoHat + (1 - target) / (1 - rhoHat)) / n;
            for (int s = 0; s < n; s++) {
                int i = s * units + j;
                dx.set(i, dy.get(i) + extra);
            }
        }
        return dx;
    }
}
