package io.simdnet.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Off a terminal the progress display is plain lines, at most one per interval, and one line per epoch. */
class ProgressBarCallbackTest {

    /** Two epochs of four steps each through a callback that is not on a terminal; what it printed. */
    private static String twoEpochs(Duration interval) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ProgressBarCallback progress = new ProgressBarCallback(out, false, interval);
        progress.onTrainBegin(null, 2, 4);
        for (int epoch = 0; epoch < 2; epoch++) {
            progress.onEpochBegin(null, epoch);
            for (int step = 0; step < 4; step++) {
                progress.onBatchEnd(null, epoch, step, 1.0 / (step + 1), 8);
            }
            progress.onEpochEnd(null, new EpochLogs(epoch, 0.5, 0.75, Double.NaN, Double.NaN, 0.01, 1.5, 21.3));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void offATerminalEachUpdateIsAPlainLineAndTheLastStepIsLeftToTheEpochLine() {
        String output = twoEpochs(Duration.ZERO);
        assertFalse(output.contains("\r"), output);
        List<String> lines = output.lines().toList();
        assertEquals(8, lines.size(), output);
        assertTrue(lines.get(0).startsWith("Epoch 1/2  step 1/4  loss 1.0000  "), output);
        assertTrue(lines.get(2).startsWith("Epoch 1/2  step 3/4  loss 0.6111  ") && lines.get(2).endsWith(" left"), "running mean loss:\n" + output);
        assertTrue(lines.get(6).startsWith("Epoch 2/2  step 3/4  loss 0.6111  "), "sums start again each epoch:\n" + output);
        assertEquals("Epoch 1/2  loss 0.5000  acc 0.7500  lr 0.0100  1.5s  21 samples/s", lines.get(3));
        assertEquals("Epoch 2/2  loss 0.5000  acc 0.7500  lr 0.0100  1.5s  21 samples/s", lines.get(7));
    }

    @Test
    void offATerminalAnEpochShorterThanTheIntervalPrintsOnlyItsLine() {
        assertEquals("Epoch 1/2  loss 0.5000  acc 0.7500  lr 0.0100  1.5s  21 samples/s\n"
                + "Epoch 2/2  loss 0.5000  acc 0.7500  lr 0.0100  1.5s  21 samples/s\n", twoEpochs(Duration.ofHours(1)).replace(System.lineSeparator(), "\n"));
    }
}
