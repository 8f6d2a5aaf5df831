package io.simdnet.engine.train;

/** Loss and accuracy over a dataset in evaluation mode; accuracy is NaN without classes. */
public record Evaluation(double loss, double accuracy, int samples) {
}
