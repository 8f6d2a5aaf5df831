package io.simdnet.engine.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/** Any bytes read as a .npy file either read or fail with {@link MalformedDataException}. */
class NpyFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void read(byte[] input) throws IOException {
        try {
            Npy.read(FuzzFiles.write("array.npy", input));
        } catch (MalformedDataException expected) {
            // the documented failure
        }
    }
}
