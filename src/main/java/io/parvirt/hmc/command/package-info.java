/**
 * HMC commands as typed values. The command line ({@code hmc}'s parsers) and the REST API (from
 * JSON) both build these records, and {@code Hmc.execute} runs them; no command travels as text
 * between the two. Each record validates itself in its constructor: a record that exists is a
 * well-formed command (it may still name a partition or pool that does not exist).
 */
package io.parvirt.hmc.command;
