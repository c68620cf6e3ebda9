package setup

import (
	"context"
	"fmt"
	"time"

	"ossq/internal/config"
	"ossq/transfer"
)

// maxSourceDepth bounds chains of roles assumed with roles.
const maxSourceDepth = 5

// credentialsFor builds the credential source a resolved profile names.
func credentialsFor(p config.Profile, o transfer.ClientOptions, depth int) (transfer.CredentialsFunc, error) {
	if depth > maxSourceDepth {
		return nil, fmt.Errorf("source_profile chain longer than %d", maxSourceDepth)
	}
	switch p.CredentialSource {
	case config.SourceConfig, config.SourceEnvironment, config.SourceMixed:
		if p.AccessKeyID == "" || p.AccessKeySecret == "" {
			return nil, fmt.Errorf("no access key ID and secret")
		}
		if p.File != "" && p.CredentialSource != config.SourceEnvironment {
			return rereadKeys(p), nil
		}
		return transfer.StaticCredentials(p.AccessKeyID, p.AccessKeySecret, p.SessionToken), nil
	case config.SourceRAMRole:
		source := transfer.StaticCredentials(p.AccessKeyID, p.AccessKeySecret, p.SessionToken)
		if p.Source != nil {
			var err error
			if source, err = credentialsFor(*p.Source, o, depth+1); err != nil {
				return nil, fmt.Errorf("source_profile %q: %w", p.Source.Name, err)
			}
		}
		client, err := transfer.CredentialsHTTPClient(o)
		if err != nil {
			return nil, err
		}
		return transfer.AssumeRole(client, source, roleOptions(p)), nil
	case config.SourceOIDC:
		client, err := transfer.CredentialsHTTPClient(o)
		if err != nil {
			return nil, err
		}
		return transfer.AssumeRoleWithOIDC(client, p.OIDCProviderARN, p.OIDCTokenFile, roleOptions(p)), nil
	case config.SourceECSRole:
		endpoint := p.MetadataEndpoint
		if endpoint == "" {
			endpoint = transfer.DefaultMetadataEndpoint
		}
		return transfer.ECSRoleCredentials(transfer.MetadataHTTPClient(), endpoint, p.ECSRole), nil
	case config.SourceURI:
		client, err := transfer.CredentialsHTTPClient(o)
		if err != nil {
			return nil, err
		}
		return transfer.URICredentials(client, p.CredentialsURI), nil
	case config.SourceProcess:
		return transfer.ProcessCredentials(p.CredentialProcess), nil
	case config.SourceAliyunCLI:
		cli, err := config.LoadAliyunCLIConfig()
		if err != nil {
			return nil, err
		}
		return aliyunCLICredentials(cli, p.AliyunCLIProfile, o, depth)
	}
	return nil, fmt.Errorf("unknown credential source %q", p.CredentialSource)
}

func roleOptions(p config.Profile) transfer.RoleOptions {
	return transfer.RoleOptions{STSEndpoint: p.STSEndpoint, RoleARN: p.RoleARN, SessionName: p.RoleSessionName,
		Duration: p.RoleDuration, ExternalID: p.ExternalID}
}

// aliyunCLICredentials builds the source of one of the aliyun CLI's profiles.
func aliyunCLICredentials(cli *config.AliyunCLIConfig, name string, o transfer.ClientOptions, depth int) (transfer.CredentialsFunc, error) {
	if depth > maxSourceDepth {
		return nil, fmt.Errorf("aliyun CLI source_profile chain longer than %d", maxSourceDepth)
	}
	cp, err := cli.Profile(name)
	if err != nil {
		return nil, err
	}
	role := transfer.RoleOptions{RoleARN: cp.RAMRoleARN, SessionName: cp.RAMSessionName,
		Duration: time.Duration(cp.ExpiredSeconds) * time.Second}
	if cp.STSRegion != "" {
		role.STSEndpoint = "sts." + cp.STSRegion + ".aliyuncs.com"
	}
	switch cp.Mode {
	case "AK":
		return transfer.StaticCredentials(cp.AccessKeyID, cp.AccessKeySecret, ""), nil
	case "StsToken":
		return transfer.StaticCredentials(cp.AccessKeyID, cp.AccessKeySecret, cp.STSToken), nil
	case "EcsRamRole":
		return transfer.ECSRoleCredentials(transfer.MetadataHTTPClient(), transfer.DefaultMetadataEndpoint, cp.RAMRoleName), nil
	case "External":
		return transfer.ProcessCredentials(cp.ProcessCommand), nil
	}
	client, err := transfer.CredentialsHTTPClient(o)
	if err != nil {
		return nil, err
	}
	switch cp.Mode {
	case "RamRoleArn":
		return transfer.AssumeRole(client, transfer.StaticCredentials(cp.AccessKeyID, cp.AccessKeySecret, ""), role), nil
	case "ChainableRamRoleArn":
		source, err := aliyunCLICredentials(cli, cp.SourceProfile, o, depth+1)
		if err != nil {
			return nil, fmt.Errorf("aliyun CLI profile %q: source_profile: %w", cp.Name, err)
		}
		return transfer.AssumeRole(client, source, role), nil
	case "CredentialsURI":
		return transfer.URICredentials(client, cp.CredentialsURI), nil
	case "OIDC":
		return transfer.AssumeRoleWithOIDC(client, cp.OIDCProviderARN, cp.OIDCTokenFile, role), nil
	}
	return nil, fmt.Errorf("aliyun CLI profile %q: mode %q is not supported", cp.Name, cp.Mode)
}

// rereadKeys is the profile's keys, read again from its config file each
// time the store asks: it asks at start and after the server refused them,
// so fixing the keys in the file lets a waiting job go on without a restart.
// A file that no longer loads gives the keys ossq started with.
func rereadKeys(p config.Profile) transfer.CredentialsFunc {
	started := transfer.StaticCredentials(p.AccessKeyID, p.AccessKeySecret, p.SessionToken)
	return func(ctx context.Context) (transfer.Credentials, error) {
		now, err := p.Reload()
		if err != nil || now.AccessKeyID == "" || now.AccessKeySecret == "" {
			return started(ctx)
		}
		return transfer.Credentials{AccessKeyID: now.AccessKeyID, AccessKeySecret: now.AccessKeySecret, SecurityToken: now.SessionToken}, nil
	}
}
