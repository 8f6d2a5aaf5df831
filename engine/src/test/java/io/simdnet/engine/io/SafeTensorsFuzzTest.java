package io.simdnet.engine.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.simdnet.engine.data.FuzzFiles;
import java.io.IOException;

/** Any bytes read as a safetensors file either read or fail with {@link CorruptCheckpointException}. */
class SafeTensorsFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void read(byte[] input) throws IOException {
        try {
            SafeTensors.read(FuzzFiles.write("model.safetensors", input));
        } catch (CorruptCheckpointException expected) {
            // the documented failure
        }
    }
}
