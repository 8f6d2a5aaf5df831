package io.simdnet.spark;

import java.io.Serializable;
import java.util.Map;

/**
 * What one worker sends back after a round: its gradient (K = 1) or its parameters (K > 1), its running
 * statistics, its optimiser state (K > 1), and each step's loss, sample count and correct predictions (−1 when
 * the task has no classes), with the time its own computation took.
 */
record WorkerUpdate(int worker, float[] vector, float[] state, Map<String, float[]> optimizerState, double[] losses, int[] samples, int[] correct,
        long computeNanos) implements Serializable {

    private static final long serialVersionUID = 1L;
}
