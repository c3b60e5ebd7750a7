<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit;

use Magento\Framework\App\State;
use PHPUnit\Framework\MockObject\MockObject;

/**
 * Mocks of Magento types whose constructors the tests must not depend on: generated factories and models.
 */
trait MagentoMocks
{
    /**
     * Mock a generated factory whose create($data) builds $type from constructor arguments named as keys.
     *
     * Magento generates the factory (Magento\Framework\ObjectManager\Code\Generator\Factory): create() hands
     * $data to ObjectManager::create(), which matches the keys to constructor parameter names. The class does
     * not exist without Magento, so the mock declares it (setMethods, not addMethods, allows that).
     *
     * @param string $factory
     * @param string $type
     * @return MockObject
     */
    private function dataFactory(string $factory, string $type): MockObject
    {
        $mock = $this->getMockBuilder($factory)->disableOriginalConstructor()->setMethods(['create'])->getMock();
        $mock->method('create')->willReturnCallback(static fn (array $data = []) => new $type(...$data));
        return $mock;
    }

    /**
     * Mock a Magento model (a DataObject) holding $data, without its constructor; $methods are stubbed.
     *
     * Magento's models take a dozen constructor arguments (Magento\Framework\Model\AbstractModel); their
     * columns are read through DataObject's magic getters, which work on the data set here.
     *
     * @param string $class
     * @param array<string, mixed> $data
     * @param string[] $methods
     * @return MockObject
     */
    private function model(string $class, array $data, array $methods = []): MockObject
    {
        $mock = $this->getMockBuilder($class)->disableOriginalConstructor()->onlyMethods($methods)->getMock();
        $mock->setData($data);
        return $mock;
    }

    /**
     * Mock the application state in a mode (State::MODE_PRODUCTION, State::MODE_DEVELOPER).
     *
     * @param string $mode
     * @return State&MockObject
     */
    private function appState(string $mode): State
    {
        $state = $this->createMock(State::class);
        $state->method('getMode')->willReturn($mode);
        return $state;
    }
}
