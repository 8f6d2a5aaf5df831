package io.simdnet.engine.sweep;

import io.simdnet.engine.data.Dataset;
import java.io.Serializable;

/**
 * One trial of a hyperparameter sweep: everything it depends on but the data, so that running it twice on the same
 * data gives the same result bit for bit, in whichever thread, process or machine (a local sweep, a Spark task, a
 * retry after a lost executor, or a resumed sweep).
 *
 * @param <R> what a run measures; serialisable, so that it comes back from a cluster and is kept on disk
 */
public interface Trial<R extends Serializable> extends Serializable {

    /** The trial's place in its sweep, from 0; the key under which its result is kept. */
    int index();

    R run(Dataset train, Dataset validation);

    /** The result that stands for a run that threw {@code error} after {@code seconds}. */
    R failed(Throwable error, double seconds);
}
