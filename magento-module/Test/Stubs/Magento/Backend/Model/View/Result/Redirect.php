<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Backend\Model\View\Result;

/**
 * Test stand-in for Magento's backend redirect result: records the path and parameters.
 */
class Redirect
{
    private string $path = '';

    /**
     * @var array
     */
    private array $params = [];

    /**
     * Set the admin route path and parameters to redirect to.
     *
     * @param string $path
     * @param array $params
     * @return $this
     */
    public function setPath($path, array $params = [])
    {
        $this->path = (string) $path;
        $this->params = $params;
        return $this;
    }

    /**
     * Return the path set last.
     *
     * @return string
     */
    public function getPath(): string
    {
        return $this->path;
    }

    /**
     * Return the parameters set last.
     *
     * @return array
     */
    public function getParams(): array
    {
        return $this->params;
    }
}
