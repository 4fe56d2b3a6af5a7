BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ManifestPath -Force
    $cdf = Start-CdfEmulator
    $project = New-TestProject (Join-Path $TestDrive 'cdf-project') -Cdf $cdf
    $artifact = New-TestArtifact (Join-Path $project 'trained')
    Push-Location $project
}

AfterAll {
    Disconnect-MlCdf test
    Pop-Location
    Stop-CdfEmulator $cdf
    $env:MLOPS_PESTER_CDF_SECRET = $null
}

Describe 'Test-MlCdfConnection and Connect-MlCdf' {
    AfterEach { $env:MLOPS_PESTER_CDF_SECRET = $null }

    It 'passes every check with the right secret' {
        $env:MLOPS_PESTER_CDF_SECRET = $cdf.ClientSecret
        Test-MlCdfConnection test | Should -BeTrue
        $checks = Test-MlCdfConnection test -Detailed
        $checks | Should -BeOfType ([MlOps.Cdf.CdfConnectionCheck])
        $checks.Check | Should -Be @('secret', 'token', 'project', 'filesAcl:READ', 'filesAcl:WRITE')
        $checks.Passed | Should -Not -Contain $false
    }

    It 'names the missing variable, and the failed token, without printing the secret' {
        $checks = Test-MlCdfConnection test -Detailed
        $checks[0].Passed | Should -BeFalse
        $checks[0].Message | Should -Match 'MLOPS_PESTER_CDF_SECRET'

        $wrong = 'wrong-secret-6b1f0d2a'
        $env:MLOPS_PESTER_CDF_SECRET = $wrong
        Test-MlCdfConnection test -WarningVariable warnings 3>$null | Should -BeFalse
        ($warnings.Message -join "`n") | Should -Match 'token'
        ($warnings.Message -join "`n") | Should -Not -Match $wrong
    }

    It 'never shows a secret in any stream of a failing run' {
        $env:MLOPS_PESTER_CDF_SECRET = $cdf.ClientSecret
        $all = & {
            Publish-MlModelArtifact diabetes $artifact -Environment test -Metadata @{ big = 'x' * 11000 } -Verbose -ErrorAction Continue
            Publish-MlModelArtifact diabetes (Join-Path $project 'missing') -Environment test -Verbose -ErrorAction Continue
            Test-MlCdfConnection test -Detailed -Verbose
            Publish-MlModelArtifact diabetes $artifact -Environment test -Verbose
        } *>&1 | Out-String
        $all | Should -Match 'InvalidMetadata|bytes'
        $all | Should -Not -Match ([regex]::Escape($cdf.ClientSecret))
        $cdf.Process.HasExited | Should -BeFalse
    }

    It 'lists the reachable environments when a CDF one cannot be reached' {
        $env:MLOPS_PESTER_CDF_SECRET = $null
        Publish-MlModelArtifact churn $artifact -Environment dev | Out-Null
        $found = Get-MlModelVersion -ErrorVariable failures -ErrorAction SilentlyContinue
        $found.ModelId | Should -Contain 'churn/dev/1'
        $failures.FullyQualifiedErrorId | Should -Contain 'CdfSecretMissing,MlOps.PowerShell.Commands.GetMlModelVersionCommand'
        ($failures | Out-String) | Should -Match 'MLOPS_PESTER_CDF_SECRET'
    }

    It 'lets a session connect with a SecureString, without setting the environment variable' {
        $env:MLOPS_PESTER_CDF_SECRET = $null
        $secure = ConvertTo-SecureString $cdf.ClientSecret -AsPlainText -Force
        $checks = Connect-MlCdf test -Secret $secure
        $checks.Passed | Should -Not -Contain $false
        $env:MLOPS_PESTER_CDF_SECRET | Should -BeNullOrEmpty
        (Publish-MlModelArtifact churn $artifact -Environment test).Registry | Should -BeLike 'cdf:*'
        Test-MlCdfConnection test | Should -BeTrue

        Disconnect-MlCdf test
        (Test-MlCdfConnection test -Detailed)[0].Passed | Should -BeFalse
    }

    It 'forgets the session''s secrets and connections when the module is removed' {
        $env:MLOPS_PESTER_CDF_SECRET = $null
        Connect-MlCdf test -Secret (ConvertTo-SecureString $cdf.ClientSecret -AsPlainText -Force) | Out-Null
        Test-MlCdfConnection test | Should -BeTrue

        Remove-Module MlOps
        Import-Module $ManifestPath
        $checks = Test-MlCdfConnection test -Detailed
        $checks[0].Check | Should -Be 'secret'
        $checks[0].Passed | Should -BeFalse
    }

    It 'reads the secret from a SecretManagement vault named in the settings' {
        $vaultProject = New-TestProject (Join-Path $TestDrive 'vault-project') -Cdf $cdf
        $settingsFile = Join-Path $vaultProject 'mlops.settings.json'
        (Get-Content $settingsFile -Raw).Replace('"clientSecretVariable": "MLOPS_PESTER_CDF_SECRET"',
            '"clientSecretVariable": "MLOPS_PESTER_UNSET_SECRET", "secretName": "cdf-pester", "secretVault": "PesterVault"') | Set-Content $settingsFile
        $env:MLOPS_PESTER_UNSET_SECRET = $null
        Push-Location $vaultProject
        try {
            # Without SecretManagement, the error says what to install.
            $checks = Test-MlCdfConnection test -Detailed
            $checks[0].Passed | Should -BeFalse
            $checks[0].Message | Should -Match 'SecretManagement'

            # Get-Secret as Microsoft.PowerShell.SecretManagement defines it (a stand-in vault for the test).
            $script:vaultSecret = $cdf.ClientSecret
            function global:Get-Secret {
                param([string] $Name, [string] $Vault, [switch] $AsPlainText)
                if ($Name -ne 'cdf-pester' -or $Vault -ne 'PesterVault' -or -not $AsPlainText) { throw "Get-Secret: no secret '$Name' in vault '$Vault'." }
                $script:vaultSecret
            }
            Test-MlCdfConnection test | Should -BeTrue
            (Publish-MlModelArtifact churn $artifact -Environment test).Registry | Should -BeLike 'cdf:*'
        }
        finally {
            Remove-Item Function:\Get-Secret -ErrorAction SilentlyContinue
            Disconnect-MlCdf test
            Pop-Location
        }
    }
}
