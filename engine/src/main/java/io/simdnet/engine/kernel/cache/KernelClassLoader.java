package io.simdnet.engine.kernel.cache;

import java.util.Map;

/** Defines the classes of one generated kernel from their bytes (compiled in memory or read from the disk cache). */
public final class KernelClassLoader extends ClassLoader {

    private final Map<String, byte[]> classes;

    public KernelClassLoader(ClassLoader parent, Map<String, byte[]> classes) {
        super(parent);
        this.classes = Map.copyOf(classes);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) {
            throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
    }
}
