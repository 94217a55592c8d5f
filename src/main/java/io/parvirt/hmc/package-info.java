/**
 * HMC semantics over the services: the HMC command grammar ({@code -m}, {@code -r}, {@code -i},
 * {@code -F}, {@code --filter}, ...), the attributes each listing shows and their order, and the
 * HMC's way of failing (an HSCL code and one sentence on standard output, exit 1). It only
 * translates: a command's words become a typed request to a service ({@code partition} for
 * anything that runs, {@code system} for the definition, {@code vios} for VIOS storage) and the
 * typed result becomes HMC text. No hypervisor, dispatcher, console or NBD type reaches it. The
 * API and the CLI reach the services only through this package.
 *
 * <p>A command line is parsed once, by one parser per family ({@code SyscfgParser}, ...), into a
 * typed command of {@code hmc.command}; the API builds the same records from JSON. {@code Hmc}
 * runs a record through its family's handler. Every failure becomes an {@code HmcError} whose code
 * and status {@code HsclCode} alone decides; an exception no rule expected is logged with its
 * trace and reported as one {@code HSCL130F} line.
 *
 * <p>The lifecycle forms ({@code -r sysprof}, {@code -r lpartemplate}, {@code --template},
 * {@code bkprofdata}, {@code rstprofdata}) are parsed by {@code LifecycleParser}, asked before the
 * families' parsers so that those stay unchanged, into {@code command.LifecycleCommand} records,
 * which {@code LifecycleCommands} runs.
 *
 * <p>Authorization is checked in one place, {@code Hmc}, for every command however it came (CLI,
 * REST, SSH, web): the task role ({@code TaskRoles}: which commands) and the managed-resource role
 * ({@code ResourceRoles}, {@code ResourceTargets}: on which partitions); a listing is narrowed to
 * the caller's partitions as it is rendered ({@code ResourceScope}).
 */
package io.parvirt.hmc;
