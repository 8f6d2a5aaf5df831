package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.simdnet.engine.tensor.Tensor;
import java.io.IOException;

/**
 * Any bytes given to the IDX readers either read as images or labels consistent with their header or fail with
 * {@link MalformedDataException}; anything else escaping is a finding. The seed corpus (IdxFuzzTestInputs) runs in
 * every build; fuzzing: see the README's "Fuzzing the readers".
 */
class IdxFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void images(byte[] input) throws IOException {
        try {
            Uint8Images images = Idx.readImages(FuzzFiles.write("images-idx3-ubyte", input));
            assertEquals(4, images.shape().rank());
            assertEquals(1, images.shape().dim(1));
        } catch (MalformedDataException expected) {
            // the documented failure
        }
    }

    @FuzzTest(maxDuration = "60s")
    void labels(byte[] input) throws IOException {
        try {
            Tensor labels = Idx.readLabels(FuzzFiles.write("labels-idx1-ubyte", input));
            assertEquals(1, labels.shape().rank());
        } catch (MalformedDataException expected) {
            // the documented failure
        }
    }
}
