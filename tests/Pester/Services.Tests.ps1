BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ManifestPath -Force
    $savedEnv = $env:ENV, $env:MODEL_ENV
    $env:ENV = $null; $env:MODEL_ENV = $null
    $project = New-ExampleProject
    Push-Location $project
    $version = Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test -Metadata @{ source = 'pester' }
    $patients = @{
        age = 0.038076, -0.001882; sex = 0.05068, -0.044642; bmi = 0.061696, -0.051474; bp = 0.021872, -0.026328
        s1 = -0.044223, -0.008449; s2 = -0.034821, -0.019163; s3 = -0.043401, 0.074412; s4 = -0.002592, -0.039493
        s5 = 0.019907, -0.068332; s6 = -0.017646, -0.092204
    }
}

AfterAll {
    Get-MlService | Remove-MlService -Force -Confirm:$false
    Pop-Location
    Remove-ExampleProject $project
    $env:ENV, $env:MODEL_ENV = $savedEnv
}

Describe 'Prediction service on the Local platform' {
    BeforeAll {
        $deployment = Get-MlModelVersion diabetes -Environment test -Latest | Deploy-MlPredictionService
    }

    It 'deploys the piped version after its tests and answers the service test' {
        $deployment | Should -BeOfType ([MlOps.Services.ServiceDeployment])
        $deployment.Name | Should -Be 'diabetes-prediction-test'
        $deployment.Status | Should -Be 'Running'
        $deployment.ModelId | Should -Be $version.ModelId
        $deployment.TestResults.Passed | Should -Be @($true, $true, $true)

        $result = $deployment | Invoke-MlServiceTest
        $result | Should -BeOfType ([MlOps.Services.ServiceTestResult])
        $result.Passed | Should -BeTrue
        $result.Test | Should -Be 'deployed service test'
    }

    It 'answers predictions from a hashtable or JSON, with the model id' {
        $answer = Invoke-MlPrediction diabetes -Environment test -Data $patients
        $answer | Should -BeOfType ([MlOps.Services.ServiceResponse])
        $answer.Status | Should -Be 'ok'
        $answer.ModelId | Should -Be $version.ModelId
        $answer.Result.Count | Should -Be 2
        $answer.Result[0] | Should -BeGreaterThan $answer.Result[1]

        $fromJson = $deployment | Invoke-MlPrediction -Json ($patients | ConvertTo-Json -Compress)
        $fromJson.Result | Should -Be $answer.Result
    }

    It 'returns a model error as an answer and a ServiceReturnedError' {
        $answer = Invoke-MlPrediction diabetes -Environment test -Data @{ age = 1 } -ErrorVariable failures -ErrorAction SilentlyContinue
        $answer.Status | Should -Be 'error'
        $answer.Error | Should -Match 'missing features'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ServiceReturnedError*'
        { Invoke-MlPrediction diabetes -Environment test -Json '{not json' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidServiceInput,*'
    }

    It 'refuses a version that does not exist before running any test' {
        $stream = Deploy-MlPredictionService diabetes -Environment test -Version 999 -Verbose -ErrorVariable failed -ErrorAction SilentlyContinue 4>&1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ModelVersionNotFound,*'
        ($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Not -Match 'model tests'
    }

    It 'takes model names from the pipeline as well as versions and settings' {
        ('diabetes' | Deploy-MlPredictionService -Environment test -TestOnly).Status | Should -Be 'Tested'
        ((Get-MlSetting).Models | Where-Object Name -eq diabetes | Deploy-MlPredictionService -Environment test -TestOnly).Name |
            Should -Be 'diabetes-prediction-test'
    }

    It 'names the version the service serves and tested, for promotion, not merely the latest' {
        $served = (Get-MlService diabetes -Environment test -Service Prediction).ModelId
        $newer = Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test
        (Get-MlModelVersion diabetes -Environment test -Latest).ModelId | Should -Be $newer.ModelId
        (Get-MlModelVersion diabetes -Environment test -Serving).ModelId | Should -Be $served
        Get-MlModelVersion diabetes -Environment prod -Serving -ErrorVariable notServed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $notServed[0].FullyQualifiedErrorId | Should -BeLike 'ServiceNotFound,*'
        ($notServed[0] | Out-String) | Should -Match 'no deployed prediction service in prod'
    }

    It 'lists the service and its log, one call at a time' {
        $service = Get-MlService diabetes -Environment test -Service Prediction
        $service.Status | Should -Be 'Running'
        (Get-MlService | Out-String) | Should -Match 'Name\s+Status\s+ModelId\s+Platform\s+Endpoint'
        $answer = Invoke-MlPrediction diabetes -Environment test -Data $patients
        $lines = Get-MlServiceLog diabetes -Environment test -CallId $answer.CallId
        $lines | Should -BeOfType ([MlOps.Services.ServiceLogEntry])
        $lines.Message | Should -Contain 'scoring 2 rows'
        ($lines | Where-Object Logger -eq 'models.diabetes.model').Level | Should -Be 'INFO'
        ($lines.Message -join "`n") | Should -Match 'answered ok'
        @(Get-MlServiceLog diabetes -Environment test -Tail 1).Count | Should -Be 1
    }

    It 'keeps serving after the PowerShell session that deployed it has exited' {
        $script = "Import-Module '$ManifestPath'; Set-Location '$project'; `$null = Deploy-MlPredictionService diabetes -Environment test; 'deployed'"
        Invoke-FreshPwsh $script | Should -Contain 'deployed'
        $answer = Invoke-MlPrediction diabetes -Environment test -Data $patients
        $answer.Status | Should -Be 'ok'
        (Get-MlService diabetes -Environment test).Status | Should -Be 'Running'
    }
}

Describe 'Deploy options and failures' {
    It 'tests without deploying with -TestOnly' {
        $tested = Deploy-MlPredictionService diabetes -Environment test -TestOnly
        $tested.Status | Should -Be 'Tested'
        $tested.TestResults.Count | Should -Be 2
    }

    It 'changes nothing with -WhatIf' {
        Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment dev -Confirm:$false | Out-Null
        Deploy-MlPredictionService diabetes -Environment dev -WhatIf | Should -BeNullOrEmpty
        Get-MlService -Environment dev | Should -BeNullOrEmpty
    }

    It 'fails clearly when there is no version to deploy' {
        { Deploy-MlPredictionService diabetes -Environment prod -Force -ErrorAction Stop } | Should -Throw -ErrorId 'ModelVersionNotFound,*'
    }

    It 'asks before deploying to prod, so a non-interactive run needs -Confirm:$false' {
        Get-MlModelVersion diabetes -Environment test -Latest | Publish-MlModelArtifact -Environment prod -Confirm:$false | Out-Null
        { Deploy-MlPredictionService diabetes -Environment prod -ErrorAction Stop } | Should -Throw
        Get-MlService -Environment prod | Should -BeNullOrEmpty
        (Deploy-MlPredictionService diabetes -Environment prod -Confirm:$false).Status | Should -Be 'Running'
    }
}

Describe 'Training service on the Local platform' {
    It 'trains and publishes the next version when invoked' {
        $before = (Get-MlModelVersion diabetes -Environment test -Latest).Version
        # A new artifact's number is above every number of the model in the store (prod's promoted copies included).
        $next = 1 + (Get-MlModelVersion diabetes | Where-Object { -not $_.IsLocalFolder } | Measure-Object Version -Maximum).Maximum
        $training = Deploy-MlTrainingService diabetes -Environment test
        $training.Status | Should -Be 'Running'
        (Get-MlModelVersion diabetes -Environment test -Latest).Version | Should -Be $before

        $answer = $training | Invoke-MlTraining
        $answer.Status | Should -Be 'ok'
        $answer.Result.model_id | Should -Be "diabetes/test/$next"
        [double]$answer.Result.r2 | Should -BeGreaterThan 0.3
        $latest = Get-MlModelVersion diabetes -Environment test -Latest
        $latest.Version | Should -Be $next
        $latest.Metadata['algorithm'] | Should -Be 'Ridge(alpha=0.1)'
        # The answer carries the version it published, which a deploy takes.
        $answer.ModelId | Should -Be "diabetes/test/$next"
        $answer.Version | Should -BeOfType ([MlOps.Registry.ModelVersion])
        ($answer.Version | Deploy-MlPredictionService -TestOnly).ModelId | Should -Be "diabetes/test/$next"
    }

    It 'removes a service and stops answering' {
        Remove-MlService diabetes -Environment test -Service Training
        Get-MlService diabetes -Environment test -Service Training | Should -BeNullOrEmpty
        # The history stays as the audit trail, with the removal in it.
        $history = Get-MlDeploymentHistory diabetes -Environment test -Service Training
        $history[-1].Action | Should -Be 'removed'
        # The default table reads at 80 columns: one header line, no line wider than the console.
        $text = ($history | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() }
        $text | Where-Object { $_ -match 'Seq\s+Action\s+ModelId\s+Deployed\s+Tests\s+Now\s+Kept' } | Should -Not -BeNullOrEmpty
        $text | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        ($history | Format-Table -View Details | Out-String -Width 200) | Should -Match 'Commit\s+DeployedTime\s+DeployedBy'
        $history.IsCurrent | Should -Not -Contain $true
        { Invoke-MlTraining diabetes -Environment test -ErrorAction Stop } | Should -Throw -ErrorId 'ServiceNotFound,*'
        { Remove-MlService diabetes -Environment test -Service Training -ErrorAction Stop } | Should -Throw -ErrorId 'ServiceNotFound,*'
    }
}
