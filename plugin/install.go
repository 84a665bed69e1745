package plugin

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"
)

// PluginsRoot returns the folder where kubebuilder looks for external
// plugins, as kubebuilder v4 computes it: $EXTERNAL_PLUGINS_PATH, else
// $XDG_CONFIG_HOME/kubebuilder/plugins, else ~/.config/kubebuilder/plugins on
// Linux and ~/Library/Application Support/kubebuilder/plugins on macOS.
func PluginsRoot() (string, error) {
	if p := os.Getenv("EXTERNAL_PLUGINS_PATH"); p != "" {
		return p, nil
	}
	rel := filepath.Join("kubebuilder", "plugins")
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, rel), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the home folder: %w", err)
	}
	switch runtime.GOOS {
	case "linux":
		return filepath.Join(home, ".config", rel), nil
	case "darwin":
		return filepath.Join(home, "Library", "Application Support", rel), nil
	}
	return "", fmt.Errorf("kubebuilder supports external plugins on linux and darwin only, not %s", runtime.GOOS)
}

// InstallPath returns the path kubebuilder runs the okt plugin from:
// <root>/okt.orange.com/v1/okt.orange.com.
func InstallPath(root string) string {
	return filepath.Join(root, Name, "v"+fmt.Sprint(Version.Number), ExternalName)
}

// Install copies (or, with symlink, links) the executable exe to
// InstallPath(root) and returns that path.
func Install(exe, root string, symlink bool) (string, error) {
	dst := InstallPath(root)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("cannot create %s: %w", filepath.Dir(dst), err)
	}
	if err := os.Remove(dst); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("cannot replace %s: %w", dst, err)
	}
	if symlink {
		if err := os.Symlink(exe, dst); err != nil {
			return "", fmt.Errorf("cannot link %s: %w", dst, err)
		}
		return dst, nil
	}
	in, err := os.Open(exe)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", exe, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return "", fmt.Errorf("cannot write %s: %w", dst, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return "", fmt.Errorf("cannot write %s: %w", dst, err)
	}
	if err := out.Close(); err != nil {
		return "", fmt.Errorf("cannot write %s: %w", dst, err)
	}
	return dst, nil
}

// NewInstallCommand returns the `install-plugin` command.
func NewInstallCommand() *cobra.Command {
	var root string
	var symlink bool
	cmd := &cobra.Command{
		Use:   "install-plugin",
		Short: "Install okt as an external plugin of the kubebuilder CLI",
		Long: `Install this okt binary where the kubebuilder CLI (v3.11 and later) finds
external plugins, as <plugins root>/okt.orange.com/v1/okt.orange.com. Started
under that name, okt answers kubebuilder's external-plugin protocol (JSON on
stdin and stdout) with the same scaffolders as "okt init" and "okt create api".

The plugins root is $EXTERNAL_PLUGINS_PATH, else
$XDG_CONFIG_HOME/kubebuilder/plugins, else ~/.config/kubebuilder/plugins
(Linux) or ~/Library/Application Support/kubebuilder/plugins (macOS).`,
		Example: `  okt install-plugin
  kubebuilder init --plugins go/v4,okt.orange.com/v1 --domain example.com \
    --repo example.com/memcached-operator --okt-path ../okt
  kubebuilder create api --group cache --version v1alpha1 --kind Memcached --resource --controller`,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if root == "" {
				var err error
				if root, err = PluginsRoot(); err != nil {
					return err
				}
			}
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("cannot find this executable: %w", err)
			}
			if exe, err = filepath.EvalSymlinks(exe); err != nil {
				return fmt.Errorf("cannot find this executable: %w", err)
			}
			dst, err := Install(exe, root, symlink)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "installed %s\nuse it with: kubebuilder init --plugins go/v4,%s ...\n", dst, Key)
			return nil
		},
	}
	cmd.Flags().StringVar(&root, "plugins-root", "", "kubebuilder's external plugins folder (default: as kubebuilder computes it)")
	cmd.Flags().BoolVar(&symlink, "symlink", false, "link to this binary instead of copying it")
	return cmd
}
