package io.simdnet.engine.tensor;

import io.simdnet.codegen.spec.ElementType;

/** A tensor's element type: float for training, double for gradient checks and references. */
public enum DType {
    F32(ElementType.FLOAT, 4, "F32"),
    F64(ElementType.DOUBLE, 8, "F64");

    private final ElementType elementType;
    private final int bytes;
    private final String safetensorsName;

    DType(ElementType elementType, int bytes, String safetensorsName) {
        this.elementType = elementType;
        this.bytes = bytes;
        this.safetensorsName = safetensorsName;
    }

    /** The kernel specs' element type. */
    public ElementType elementType() {
        return elementType;
    }

    public int bytes() {
        return bytes;
    }

    /** The dtype string of the safetensors header. */
    public String safetensorsName() {
        return safetensorsName;
    }
}
