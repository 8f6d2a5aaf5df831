package io.simdnet.cli;

import io.simdnet.engine.data.Dataset;
import java.util.List;

/**
 * A classification task as loaded: training and test sets, class names and a one-line note on where the data
 * came from (printed and written into the run folder).
 */
public record LabeledData(Dataset train, Dataset test, List<String> classNames, String source) {
}
