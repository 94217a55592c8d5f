package io.parvirt.cli;

import io.parvirt.home.ParvirtHome;
import io.parvirt.image.ImageException;
import io.parvirt.image.ImageStore;
import io.parvirt.image.PartitionImage;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code parvirt image build|list}: the partition images of this home. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Build or list partition images.",
        subcommands = {ImageCommand.Build.class, ImageCommand.ListImages.class})
final class ImageCommand {

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "(Re)build a partition image, showing progress: the default recipe (Debian cloud kernel, "
                    + "busybox, kernel modules, qemu-guest-agent), plus with --with the programs (usr/bin, usr/sbin, "
                    + "bin, sbin) and shared libraries of each Debian package, with the libraries they need. "
                    + "A profile boots it with parvirt_image=NAME.")
    static final class Build implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "NAME", defaultValue = "default",
                description = "image name (default: default)") String name;
        @Option(names = "--with", split = ",", paramLabel = "PKG",
                description = "extra Debian packages, comma separated (or --with repeated)") List<String> packages;

        @Override
        public Integer call() throws Exception {
            ParvirtHome home = ParvirtHome.fromEnvironment();
            home.create();
            ImageStore store = new ImageStore(home.imageStore());
            java.util.function.Consumer<String> progress = line -> System.err.println("image: " + line);
            PartitionImage img;
            try {
                img = packages == null && name.equals("default") ? store.build(progress)
                        : store.build(name, packages == null ? List.of() : packages, progress);
            } catch (ImageException e) {
                System.err.println("parvirt: " + e.getMessage());
                return 1;
            }
            System.out.println("built " + img.name() + ": " + img.kernel() + " " + img.initramfs());
            return 0;
        }
    }

    @Command(name = "list", description = "List the images of this home.")
    static final class ListImages implements Callable<Integer> {
        @Override
        public Integer call() {
            ParvirtHome home = ParvirtHome.fromEnvironment();
            var all = new ImageStore(home.imageStore()).list();
            if (all.isEmpty()) {
                System.out.println("No results were found.");
            }
            for (PartitionImage i : all) {
                System.out.println("name=" + i.name() + ",kernel=" + i.kernel() + ",initramfs=" + i.initramfs()
                        + ",disk=" + (i.disk() == null ? "none" : i.disk()) + ",\"description=" + i.description() + "\"");
            }
            return 0;
        }
    }
}
