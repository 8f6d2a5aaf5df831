package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/** Any bytes read as a CIFAR-10 or CIFAR-100 batch file, or as a label-name file, either read or fail with {@link MalformedDataException}. */
class CifarFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void batch(byte[] input) throws IOException {
        for (Cifar.Format format : Cifar.Format.values()) {
            try {
                Cifar.Batch batch = Cifar.read(FuzzFiles.write("data_batch.bin", input), format);
                assertEquals(batch.images().batch(), batch.labels().batch());
            } catch (MalformedDataException expected) {
                // the documented failure
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    void labelNames(byte[] input) throws IOException {
        try {
            Cifar.labelNames(FuzzFiles.write("batches.meta.txt", input));
        } catch (MalformedDataException expected) {
            // the documented failure
        }
    }
}
