<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\App\Request;

use Magento\Framework\App\RequestInterface;

/**
 * Test stand-in for Magento's HTTP request: the routing fields and parameters the module reads.
 */
class Http implements RequestInterface
{
    private string $routeName;

    private string $controllerName;

    private string $actionName;

    /**
     * @var array<string, mixed>
     */
    private array $params;

    /**
     * Capture the matched route and the parameters.
     *
     * @param string $routeName
     * @param string $controllerName
     * @param string $actionName
     * @param array<string, mixed> $params
     */
    public function __construct(
        string $routeName = '',
        string $controllerName = '',
        string $actionName = '',
        array $params = []
    ) {
        $this->routeName = $routeName;
        $this->controllerName = $controllerName;
        $this->actionName = $actionName;
        $this->params = $params;
    }

    /**
     * @inheritdoc
     */
    public function getParam($key, $defaultValue = null)
    {
        return $this->params[$key] ?? $defaultValue;
    }

    /**
     * @inheritdoc
     */
    public function getActionName()
    {
        return $this->actionName;
    }

    /**
     * Return the matched route's id, e.g. "gladlybridge".
     *
     * @return string
     */
    public function getRouteName()
    {
        return $this->routeName;
    }

    /**
     * Return the matched controller name, e.g. "open".
     *
     * @return string
     */
    public function getControllerName()
    {
        return $this->controllerName;
    }
}
