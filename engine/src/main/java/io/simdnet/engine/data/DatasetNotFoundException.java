package io.simdnet.engine.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** No directory holding a dataset's files was found; the message lists every place looked at and what was missing. */
public final class DatasetNotFoundException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String dataset;
    private final transient List<Path> tried;

    public DatasetNotFoundException(String dataset, List<Path> tried, String message) {
        super(message);
        this.dataset = dataset;
        this.tried = List.copyOf(tried);
    }

    /** The dataset's name, e.g. {@code fashion-mnist}. */
    public String dataset() {
        return dataset;
    }

    /** The directories looked at, in order. */
    public List<Path> tried() {
        return tried;
    }
}
