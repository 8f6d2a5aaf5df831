package io.simdnet.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --dataset cifar10|cifar100-coarse}, rejecting anything else with the accepted names. */
final class DatasetConverter implements ITypeConverter<CifarData.Which> {

    @Override
    public CifarData.Which convert(String value) {
        return switch (value) {
            case "cifar10" -> CifarData.Which.CIFAR10;
            case "cifar100-coarse" -> CifarData.Which.CIFAR100_COARSE;
            default -> throw new TypeConversionException("'" + value + "' is not a dataset; expected cifar10 or cifar100-coarse");
        };
    }

    static String name(CifarData.Which which) {
        return which == CifarData.Which.CIFAR10 ? "cifar10" : "cifar100-coarse";
    }
}
