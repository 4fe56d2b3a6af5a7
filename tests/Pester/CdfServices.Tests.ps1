BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ManifestPath -Force
    $savedEnv = $env:ENV, $env:MODEL_ENV
    $env:ENV = $null; $env:MODEL_ENV = $null
    $cdf = Start-CdfEmulator -ExtraArguments '--build-delay-ms', '200'
    $env:MLOPS_PESTER_CDF_SECRET = $cdf.ClientSecret
    $project = New-ExampleProject -Prefix mlops-pester-cdf
    Push-Location $project
    New-Item -ItemType Directory artifacts/broken | Out-Null
    Set-Content artifacts/broken/model.pkl 'not a pickle'
    Copy-Item artifacts/diabetes/features.json artifacts/broken/

    # Three models share the example's code: two good artifacts and one that cannot load.
    $connection = '"project": "' + $cdf.Project + '", "baseUrl": "' + $cdf.BaseUrl + '", "clientId": "' + $cdf.ClientId +
        '", "tokenUrl": "' + $cdf.TokenUrl + '", "clientSecretVariable": "MLOPS_PESTER_CDF_SECRET"'
    @"
{
  "models": [
    { "name": "diabetes", "codeFolder": "models/diabetes", "artifactFolder": "artifacts/diabetes", "services": [ "prediction", "training" ] },
    { "name": "sugar", "codeFolder": "models/diabetes", "artifactFolder": "artifacts/diabetes" },
    { "name": "broken", "codeFolder": "models/diabetes", "artifactFolder": "artifacts/broken" }
  ],
  "environments": {
    "dev":  { "registry": { "type": "local" }, "platform": { "type": "local" } },
    "test": { "registry": { "type": "cdf", $connection }, "platform": { "type": "cdf", "keepDeployments": 3 } }
  }
}
"@ | Set-Content mlops.settings.json
    $v1 = Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test -Metadata @{ source = 'pester' }
    $v2 = Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test -Metadata @{ source = 'pester' }
    $patients = @{
        age = 0.038076, -0.001882; sex = 0.05068, -0.044642; bmi = 0.061696, -0.051474; bp = 0.021872, -0.026328
        s1 = -0.044223, -0.008449; s2 = -0.034821, -0.019163; s3 = -0.043401, 0.074412; s4 = -0.002592, -0.039493
        s5 = 0.019907, -0.068332; s6 = -0.017646, -0.092204
    }
}

AfterAll {
    Get-MlService -Environment test -ErrorAction SilentlyContinue | Remove-MlService -Force -Confirm:$false -ErrorAction SilentlyContinue
    Pop-Location
    Stop-CdfEmulator $cdf
    $env:MLOPS_PESTER_CDF_SECRET = $null
    Remove-ExampleProject $project
    $env:ENV, $env:MODEL_ENV = $savedEnv
}

Describe 'Prediction service on CDF Functions (emulator)' {
    It 'deploys the latest version as a versioned function, answers calls and shows logs, without printing the secret' {
        $all = Deploy-MlPredictionService diabetes -Environment test -Verbose *>&1
        $deployment = $all | Where-Object { $_ -is [MlOps.Services.ServiceDeployment] }
        ($all | Out-String) | Should -Not -Match ([regex]::Escape($cdf.ClientSecret))
        $deployment.Platform | Should -Be 'cdf'
        $deployment.DeploymentId | Should -Be "diabetes-prediction-test-$($v2.Version)"
        $deployment.TestResults.Passed | Should -Be @($true, $true, $true)

        $answer = Invoke-MlPrediction diabetes -Environment test -Data $patients
        $answer.Status | Should -Be 'ok'
        $answer.ModelId | Should -Be $v2.ModelId
        (Get-MlService diabetes -Environment test).Status | Should -Be 'Running'
        (Get-MlService diabetes -Environment test | Invoke-MlServiceTest).Passed | Should -BeTrue
        (Get-MlServiceLog diabetes -Environment test).Message | Should -Contain 'scoring 2 rows'
    }

    It 'rolls back with Restore-MlService (after -WhatIf changed nothing) and records it in the history' {
        Deploy-MlPredictionService diabetes -Environment test -Version $v1.Version | Out-Null
        (Invoke-MlPrediction diabetes -Environment test -Data $patients).ModelId | Should -Be $v1.ModelId

        Restore-MlService diabetes -Environment test -WhatIf
        (Get-MlDeploymentHistory diabetes -Environment test).Count | Should -Be 2

        $restored = Restore-MlService diabetes -Environment test -Confirm:$false
        $restored.ModelId | Should -Be $v2.ModelId
        (Invoke-MlPrediction diabetes -Environment test -Data $patients).ModelId | Should -Be $v2.ModelId
        $history = Get-MlDeploymentHistory diabetes -Environment test
        $history | Should -BeOfType ([MlOps.Services.DeploymentRecord])
        $history.Action | Should -Be @('deploy', 'deploy', 'rollback')
        $history[-1].RestoredFrom | Should -Be 1
        $history.IsCurrent | Should -Be @($false, $false, $true)
        $table = $history | Format-Table | Out-String -Width 150
        foreach ($column in 'Service: diabetes-prediction-test', 'Seq', 'Action', 'ModelId', 'Deployed', 'Tests', 'Now', 'Kept') { $table | Should -Match $column }
        $details = $history | Format-Table -View Details | Out-String -Width 200
        foreach ($column in 'Commit', 'DeployedTime', 'DeployedBy', 'DeploymentId') { $details | Should -Match $column }
        $table | Should -Match 'rollback to #1'

        { Restore-MlService diabetes -Environment test -Sequence 99 -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeploymentNotFound,MlOps.PowerShell.Commands.RestoreMlServiceCommand'
    }

    It 'keeps a keep-warm schedule on the function the alias names, and removes it' {
        $schedule = Get-MlService diabetes -Environment test | Register-MlServiceSchedule -KeepWarm -Confirm:$false
        $schedule | Should -BeOfType ([MlOps.Services.ServiceSchedule])
        $schedule.Name | Should -Be 'keep-warm'
        $schedule.CronExpression | Should -Be '*/30 5-17 * * 1-5'
        $schedule.Target | Should -Be "diabetes-prediction-test-$($v2.Version)"
        # Without -Service, the schedules of every service of the model: the keep-warm one shows at once.
        (Get-MlServiceSchedule diabetes -Environment test).Name | Should -Contain 'keep-warm'

        Deploy-MlPredictionService diabetes -Environment test -Version $v1.Version | Out-Null
        (Get-MlServiceSchedule diabetes -Environment test -Service Prediction).Target | Should -Match '^diabetes-prediction-test-1'

        Get-MlServiceSchedule diabetes -Environment test -Service Prediction | Unregister-MlServiceSchedule -Confirm:$false
        Get-MlServiceSchedule diabetes -Environment test -Service Prediction | Should -BeNullOrEmpty
        { Register-MlServiceSchedule diabetes -Environment dev -ScheduleName nightly -Cron '0 3 * * *' -ErrorAction Stop } |
            Should -Throw -ErrorId 'SchedulesNotSupported,MlOps.PowerShell.Commands.RegisterMlServiceScheduleCommand'
    }

    It 'deploys three models in parallel; the one that fails is reported and the others serve' {
        foreach ($model in 'sugar', 'broken') { Publish-MlModelArtifact $model -Environment test -Path "./artifacts/$($model -replace 'sugar', 'diabetes')" | Out-Null }
        $results = Deploy-MlPredictionService diabetes, sugar, broken -Environment test -ThrottleLimit 3 -ErrorVariable failures -ErrorAction SilentlyContinue `
            -InformationVariable summary
        $results.Name | Sort-Object | Should -Be @('diabetes-prediction-test', 'sugar-prediction-test')
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Match '^ServiceTestFailed'
        $failures[0].TargetObject.ServiceName | Should -Be 'broken-prediction-test'
        $summary.Count | Should -Be 3
        ($summary.MessageData -join "`n") | Should -Match 'broken-prediction-test: failed'
        (Invoke-MlPrediction sugar -Environment test -Data $patients).Status | Should -Be 'ok'
        Get-MlService broken -Environment test | Should -BeNullOrEmpty
    }
}

Describe 'A CDF secret kept in a SecretManagement vault, read by every command that reaches CDF' {
    BeforeAll {
        # The settings name a vault secret and no variable is set: each command must read it through Get-Secret, which only
        # runs on its pipeline thread, also when the work runs on worker threads (deploys, rollbacks, parallel deploys).
        $savedSettings = Get-Content mlops.settings.json -Raw
        $savedSettings.Replace('"clientSecretVariable": "MLOPS_PESTER_CDF_SECRET"',
            '"clientSecretVariable": "MLOPS_PESTER_VAULT_ONLY", "secretName": "cdf-pester", "secretVault": "PesterVault"') | Set-Content mlops.settings.json
        $script:vaultSecret = $cdf.ClientSecret
        $script:vaultReads = 0
        function global:Get-Secret {
            param([string] $Name, [string] $Vault, [switch] $AsPlainText)
            if ($Name -ne 'cdf-pester' -or $Vault -ne 'PesterVault' -or -not $AsPlainText) { throw "Get-Secret: no secret '$Name' in vault '$Vault'." }
            $script:vaultReads++
            $script:vaultSecret
        }
        $env:MLOPS_PESTER_CDF_SECRET = $null
    }

    AfterAll {
        Remove-Item Function:\Get-Secret -ErrorAction SilentlyContinue
        Set-Content mlops.settings.json $savedSettings -NoNewline
        $env:MLOPS_PESTER_CDF_SECRET = $cdf.ClientSecret
    }

    BeforeEach {
        # Forget what an earlier command read, so each one reads the vault itself.
        Disconnect-MlCdf test | Out-Null
    }

    It 'deploys' {
        $reads = $script:vaultReads
        $deployment = Deploy-MlPredictionService diabetes -Environment test -Version $v2.Version -Confirm:$false
        $deployment.Status | Should -Be 'Running'
        $script:vaultReads | Should -BeGreaterThan $reads
    }

    It 'deploys several models in parallel' {
        $results = Deploy-MlPredictionService diabetes, sugar -Environment test -ThrottleLimit 2 -Confirm:$false
        $results.Status | Should -Be @('Running', 'Running')
    }

    It 'rolls back' {
        (Restore-MlService diabetes -Environment test -Confirm:$false).Status | Should -Be 'Running'
    }

    It 'calls the service and reads its log' {
        (Invoke-MlPrediction diabetes -Environment test -Data $patients).Status | Should -Be 'ok'
        Disconnect-MlCdf test | Out-Null
        Get-MlServiceLog diabetes -Environment test -Tail 5 | Should -Not -BeNullOrEmpty
    }

    It 'registers, lists and removes a schedule' {
        $service = Get-MlService diabetes -Environment test
        Disconnect-MlCdf test | Out-Null
        ($service | Register-MlServiceSchedule -KeepWarm -Confirm:$false).Name | Should -Be 'keep-warm'
        Disconnect-MlCdf test | Out-Null
        (Get-MlServiceSchedule diabetes -Environment test -Service Prediction).Name | Should -Be 'keep-warm'
        Disconnect-MlCdf test | Out-Null
        Get-MlServiceSchedule diabetes -Environment test -Service Prediction | Unregister-MlServiceSchedule -Confirm:$false
    }
}
