package io.parvirt.model;

/** An enumeration whose values are spelled on the HMC command line as {@link #hmcName()}. */
public interface HmcEnum {
    String hmcName();
}
