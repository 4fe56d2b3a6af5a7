# Shared by the Pester suites: dot-source in BeforeAll.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:ManifestPath = Join-Path $script:RepoRoot 'MlOps.psd1'

function Get-PwshCommand {
    # The PowerShell running these tests, as a command line for a fresh child process.
    $exe = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    if (Test-Path $exe) { return , @($exe) }
    return , @('dotnet', (Join-Path $PSHOME 'pwsh.dll'))
}

function Invoke-FreshPwsh {
    # Runs a script in a new `pwsh -NoProfile -NonInteractive` and returns its output lines; throws on a non-zero exit.
    param([Parameter(Mandatory)] [string] $Script, [switch] $AllowFailure)
    $command = Get-PwshCommand
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
    $arguments = @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    $output = & $command[0] @arguments 2>&1
    if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) {
        throw "Child pwsh failed with exit code ${LASTEXITCODE}:`n$($output -join "`n")"
    }
    $output
}

function New-TestArtifact {
    param([Parameter(Mandatory)] [string] $Path, [int] $Seed = 1, [int] $Files = 3)
    New-Item -ItemType Directory -Path (Join-Path $Path 'weights') -Force | Out-Null
    $random = [Random]::new($Seed)
    foreach ($i in 1..$Files) {
        $bytes = [byte[]]::new(4096 * $i)
        $random.NextBytes($bytes)
        [IO.File]::WriteAllBytes((Join-Path $Path "weights/layer$i.bin"), $bytes)
    }
    Set-Content -Path (Join-Path $Path 'model.json') -Value "{ `"seed`": $Seed }"
    (Resolve-Path $Path).Path
}

function New-TestProject {
    # A model project with models 'diabetes' (dev artifact folder) and 'churn', environments dev, test, prod.
    param([Parameter(Mandatory)] [string] $Path)
    foreach ($model in 'diabetes', 'churn') {
        $folder = New-Item -ItemType Directory -Path (Join-Path $Path "models/$model") -Force
        Set-Content (Join-Path $folder 'model.py') 'def predict(data, init_object, secrets): return data'
        Set-Content (Join-Path $folder 'test_model.py') 'def test_ok(): pass'
        Set-Content (Join-Path $folder 'requirements.model') 'scikit-learn==1.2.1'
    }
    New-Item -ItemType Directory -Path (Join-Path $Path 'models/common_code') -Force | Out-Null
    @'
{
  "project": "pester",
  "models": [
    { "name": "diabetes", "codeFolder": "models/diabetes", "artifactFolder": "artifacts/diabetes", "services": [ "prediction", "training" ] },
    { "name": "churn", "codeFolder": "models/churn" }
  ],
  "environments": {
    "dev":  { "registry": { "type": "local" }, "platform": { "type": "local" } },
    "test": { "registry": { "type": "local" }, "platform": { "type": "local" } },
    "prod": { "registry": { "type": "local", "path": "prod-registry" }, "platform": { "type": "local" }, "protected": true }
  }
}
'@ | Set-Content (Join-Path $Path 'mlops.settings.json')
    (Resolve-Path $Path).Path
}
