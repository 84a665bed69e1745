package cluster

import (
	"fmt"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// kubeconfigFor returns a kubeconfig equivalent to cfg (a client-certificate
// user), whose cluster, user and context are named okt-cluster.
func kubeconfigFor(cfg *rest.Config) ([]byte, error) {
	kc := clientcmdapi.NewConfig()
	kc.Clusters[contextName] = &clientcmdapi.Cluster{
		Server:                   cfg.Host,
		CertificateAuthorityData: cfg.CAData,
	}
	kc.AuthInfos[contextName] = &clientcmdapi.AuthInfo{
		ClientCertificateData: cfg.CertData,
		ClientKeyData:         cfg.KeyData,
		Token:                 cfg.BearerToken,
	}
	kc.Contexts[contextName] = &clientcmdapi.Context{Cluster: contextName, AuthInfo: contextName}
	kc.CurrentContext = contextName
	data, err := clientcmd.Write(*kc)
	if err != nil {
		return nil, fmt.Errorf("cannot write a kubeconfig: %w", err)
	}
	return data, nil
}

// isOurKubeconfig tells whether path is a kubeconfig written by this package
// (a kubeconfig whose only context is okt-cluster), which may be overwritten.
func isOurKubeconfig(path string) bool {
	kc, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return false
	}
	_, ok := kc.Contexts[contextName]
	return ok && len(kc.Contexts) == 1 && kc.CurrentContext == contextName
}
