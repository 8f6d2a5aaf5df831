package io.simdnet.engine.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/** Any bytes read as an HDF5 file (its dataset list, then each dataset) either read or fail with {@link MalformedDataException}. */
class Hdf5FuzzTest {

    @FuzzTest(maxDuration = "60s")
    void read(byte[] input) throws IOException {
        java.nio.file.Path file = FuzzFiles.write("patches.h5", input);
        try {
            for (String dataset : Hdf5.datasets(file)) {
                Hdf5.read(file, dataset);
            }
        } catch (MalformedDataException expected) {
            // the documented failure
        }
    }
}
